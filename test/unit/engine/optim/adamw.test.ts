import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { AdamW, clipGradNorm, isWeightDecayed, learningRateAt } from "../../../../src/engine/optim";
import { useWasmBackend } from "../helpers/wasm-backend";

/** Deterministic pseudo-random numbers for test data (no dependency on tfjs's generators). */
function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** torch.optim.AdamW's single-tensor algorithm in float64, written from PyTorch's documentation. */
function referenceAdamW(
  p: number[], grads: number[][], lrs: number[],
  o: { beta1: number; beta2: number; eps: number; weightDecay: number; decayed: boolean },
): number[] {
  const x = p.slice();
  const m = x.map(() => 0);
  const v = x.map(() => 0);
  for (let t = 1; t <= grads.length; t++) {
    const g = grads[t - 1] as number[];
    const lr = lrs[t - 1] as number;
    for (let i = 0; i < x.length; i++) {
      if (o.decayed) x[i] = (x[i] as number) * (1 - lr * o.weightDecay);
      m[i] = o.beta1 * (m[i] as number) + (1 - o.beta1) * (g[i] as number);
      v[i] = o.beta2 * (v[i] as number) + (1 - o.beta2) * (g[i] as number) ** 2;
      const mHat = (m[i] as number) / (1 - o.beta1 ** t);
      const vHat = (v[i] as number) / (1 - o.beta2 ** t);
      x[i] = (x[i] as number) - (lr * mHat) / (Math.sqrt(vHat) + o.eps);
    }
  }
  return x;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: ${a} vs expected ${e}`);
  }
}

describe("AdamW", () => {
  before(useWasmBackend);

  it("matches a float64 reference of torch's AdamW, with no decay on norms and biases", () => {
    const r = rand(7);
    const names = ["model.layers.0.mlp.up_proj.weight", "model.layers.0.input_layernorm.weight", "model.layers.0.self_attn.q_proj.bias"];
    const decayed = [true, false, false];
    const size = 12;
    const init = names.map(() => Array.from({ length: size }, () => r() * 2));
    // Gradients of very different scales: at 1e-7 the eps term dominates the denominator, so
    // putting eps inside the square root or before the bias correction would fail this test.
    const scales = [1, 1e-2, 1e-7];
    const steps = 6;
    const grads = names.map((_, k) => Array.from({ length: steps }, () => Array.from({ length: size }, () => r() * (scales[k] as number))));
    const lrs = [1e-3, 5e-3, 2e-2, 1e-2, 3e-3, 1e-3];
    const hyper = { beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.3 };

    const params = new Map(names.map((n, k) => [n, tf.variable(tf.tensor1d(init[k] as number[]), true)]));
    const opt = new AdamW(params, hyper);
    assert.deepEqual(names.map((n) => opt.isDecayed(n)), decayed);
    for (let t = 0; t < steps; t++) {
      const g = new Map(names.map((n, k) => [n, tf.tensor1d((grads[k] as number[][])[t] as number[])]));
      opt.apply(g, lrs[t] as number);
      tf.dispose([...g.values()]);
    }
    assert.equal(opt.step, steps);
    names.forEach((n, k) => {
      const expected = referenceAdamW(init[k] as number[], grads[k] as number[][], lrs, { ...hyper, decayed: decayed[k] as boolean });
      assertClose((params.get(n) as tf.Variable).dataSync(), expected, 2e-6, 1e-7, n);
    });
    // The decayed parameter really moved differently from an undecayed run (the test can fail).
    const undecayed = referenceAdamW(init[0] as number[], grads[0] as number[][], lrs, { ...hyper, decayed: false });
    const got = (params.get(names[0] as string) as tf.Variable).dataSync();
    assert.ok(Math.abs((got[0] as number) - (undecayed[0] as number)) > 1e-4);
    opt.dispose();
    tf.dispose([...params.values()]);
  });

  it("exports and imports its state: a restored optimizer continues identically", () => {
    const r = rand(3);
    const init = Array.from({ length: 8 }, () => r());
    const gradsAt = (t: number) => new Map([["w", tf.tensor1d(init.map((x, i) => Math.sin(x * (t + 1) + i)))]]);
    const a = new Map([["w", tf.variable(tf.tensor1d(init))]]);
    const optA = new AdamW(a);
    for (let t = 0; t < 2; t++) {
      const g = gradsAt(t);
      optA.apply(g, 0.01);
      tf.dispose([...g.values()]);
    }
    const state = optA.exportState();
    assert.deepEqual([...state.tensors.keys()].sort(), ["w.exp_avg", "w.exp_avg_sq"]);
    assert.equal(state.step, 2);
    const b = new Map([["w", tf.variable(tf.clone(a.get("w") as tf.Variable))]]);
    const optB = new AdamW(b);
    // Through plain arrays, as a checkpoint file would carry it.
    optB.importState({ step: state.step, tensors: new Map([...state.tensors].map(([k, t]) => [k, { shape: t.shape, data: t.dataSync() as Float32Array }])) });
    tf.dispose([...state.tensors.values()]);
    for (let t = 2; t < 4; t++) {
      for (const [opt] of [[optA], [optB]] as const) {
        const g = gradsAt(t);
        opt.apply(g, 0.01);
        tf.dispose([...g.values()]);
      }
    }
    assert.deepEqual([...(b.get("w") as tf.Variable).dataSync()], [...(a.get("w") as tf.Variable).dataSync()]);
    assert.throws(() => optB.importState({ step: 1, tensors: new Map() }), /missing w\.exp_avg/);
    optA.dispose();
    optB.dispose();
    tf.dispose([...a.values(), ...b.values()]);
  });

  it("creates no tensors per step once constructed", () => {
    const p = new Map([["w", tf.variable(tf.ones([4, 4]))], ["n.norm.weight", tf.variable(tf.ones([4]))]]);
    const opt = new AdamW(p);
    const step = () => {
      const g = new Map([["w", tf.fill([4, 4], 0.5)], ["n.norm.weight", tf.fill([4], 0.1)]]);
      opt.apply(g, 1e-3);
      tf.dispose([...g.values()]);
    };
    step();
    const count = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    assert.equal(tf.memory().numTensors, count);
    opt.dispose();
    tf.dispose([...p.values()]);
  });
});

describe("weight decay by parameter name", () => {
  it("decays matrices, embeddings and LoRA factors, not norms or biases", () => {
    for (const n of ["model.embed_tokens.weight", "lm_head.weight", "model.layers.3.mlp.down_proj.weight", "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"]) {
      assert.equal(isWeightDecayed(n), true, n);
    }
    for (const n of ["model.norm.weight", "model.layers.0.input_layernorm.weight", "model.layers.0.post_attention_layernorm.weight", "model.layers.0.self_attn.k_proj.bias"]) {
      assert.equal(isWeightDecayed(n), false, n);
    }
  });
});

describe("learning-rate schedule", () => {
  const s = { peakLr: 1e-3, minLr: 1e-4, warmupSteps: 4, totalSteps: 12 };
  it("warms up linearly from a non-zero first step to the peak, then decays by cosine to the floor", () => {
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-15, `${a} vs ${b}`);
    close(learningRateAt(s, 0), 2e-4);
    close(learningRateAt(s, 3), 8e-4);
    close(learningRateAt(s, 4), 1e-3);
    close(learningRateAt(s, 8), 1e-4 + 0.5 * 9e-4);
    close(learningRateAt(s, 6), 1e-4 + 0.5 * (1 + Math.cos(Math.PI / 4)) * 9e-4);
    close(learningRateAt(s, 12), 1e-4);
    close(learningRateAt(s, 50), 1e-4);
    for (let t = 4; t < 12; t++) assert.ok(learningRateAt(s, t + 1) < learningRateAt(s, t));
    close(learningRateAt({ ...s, warmupSteps: 0 }, 0), 1e-3);
  });
});

describe("clipGradNorm", () => {
  before(useWasmBackend);
  it("scales by max_norm / (norm + 1e-6) as torch does, and returns the norm before clipping", () => {
    const g = new Map<string, tf.Tensor>([["a", tf.tensor1d([3, -4])], ["b", tf.tensor2d([[12]])], ["c", tf.zeros([3])]]);
    const direct = Math.sqrt(9 + 16 + 144);
    const clipped = clipGradNorm(g, 1);
    assert.ok(Math.abs(clipped.norm.dataSync()[0]! - direct) < 1e-5);
    const coef = 1 / (direct + 1e-6);
    assertClose(clipped.grads.get("a")!.dataSync(), [3 * coef, -4 * coef], 1e-6, 0, "a");
    assertClose(clipped.grads.get("b")!.dataSync(), [12 * coef], 1e-6, 0, "b");
    const unclipped = clipGradNorm(g, 100);
    assert.deepEqual([...unclipped.grads.get("a")!.dataSync()], [3, -4]);
    tf.dispose([...g.values(), ...clipped.grads.values(), clipped.norm, ...unclipped.grads.values(), unclipped.norm]);
  });
});
