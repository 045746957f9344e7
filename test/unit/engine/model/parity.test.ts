// The engine against PyTorch, the way llm.c's test_gpt2 checks itself: the same weights
// (written by our safetensors writer, read by test/reference/qwen2_reference.py), the same
// batch, then logits, loss, every parameter's gradient and the weights after 3 AdamW steps
// must agree. Run on wasm (what users and CI train on) and cpu.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { readSafetensors, writeSafetensors } from "../../../../src/core/formats/safetensors";
import { selectBackend } from "../../../../src/engine/backends/select";
import { initialWeights, makeLmBatch, makeQwen2Config, Qwen2Model, type LmBatch, type Qwen2Config, type WeightMap } from "../../../../src/engine/model";
import { AdamW } from "../../../../src/engine/optim";
import { seededRandom, normalArray } from "../../../../src/core/random/seeded-random";
import { requireTorch, skipWithoutTorch, SYSTEM_PYTHON } from "../helpers/torch-reference";

const SCRIPT = join(__dirname, "..", "..", "..", "reference", "qwen2_reference.py");
const ADAMW = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, steps: 3 };

interface Case {
  name: string;
  config: Qwen2Config;
  batch: LmBatch;
}

function tokens(rand: () => number, n: number, vocab: number): number[] {
  return Array.from({ length: n }, () => Math.floor(rand() * vocab));
}

const rand = seededRandom(7);
const CASES: Case[] = [
  {
    // Qwen2 as shipped: q/k/v bias, tied embeddings, grouped-query attention; one row padded.
    name: "tied, q/k/v bias, GQA 4:2, padded row",
    config: makeQwen2Config({ vocab_size: 96, hidden_size: 48, intermediate_size: 80, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, initializer_range: 0.1 }),
    batch: makeLmBatch([tokens(rand, 17, 96), tokens(rand, 11, 96)], 16, 0),
  },
  {
    // Llama-like variant: no bias, separate lm_head, plain multi-head, other rope base and eps; SFT-style masked prompt.
    name: "untied, no bias, MHA, rope_theta 1e6, masked prompt",
    config: makeQwen2Config({
      vocab_size: 80, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 2,
      attention_bias: false, tie_word_embeddings: false, rope_theta: 1e6, rms_norm_eps: 1e-5, initializer_range: 0.1,
    }),
    batch: makeLmBatch([tokens(rand, 13, 80), tokens(rand, 13, 80), tokens(rand, 13, 80)], 12, 0, [5, 1, 8]),
  },
];

/** Initial weights with norms and biases moved off 1 and 0, so their gradients are tested on generic values. */
function weightsFor(c: Qwen2Config): WeightMap {
  const w = initialWeights(c, 11);
  const r = seededRandom(99);
  for (const [name, t] of w) {
    if (name.endsWith("norm.weight") || name.endsWith(".bias")) {
      const noise = normalArray(t.data.length, 0.1, r);
      for (let i = 0; i < t.data.length; i++) t.data[i]! += noise[i]!;
    }
  }
  return w;
}

function build(config: Qwen2Config, weights: WeightMap, fused: boolean): Qwen2Model {
  const m = Qwen2Model.fromWeights(config, weights);
  m.fusedLayers = fused;
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function diffStats(actual: ArrayLike<number>, expected: ArrayLike<number>): { maxAbs: number; rel: number } {
  assert.equal(actual.length, expected.length);
  let m = 0;
  let num = 0;
  let den = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = actual[i]! - expected[i]!;
    m = Math.max(m, Math.abs(d));
    num += d * d;
    den += expected[i]! * expected[i]!;
  }
  return { maxAbs: m, rel: Math.sqrt(num / Math.max(den, 1e-30)) };
}

const VARIANTS = [
  { backend: "wasm", fused: true },
  { backend: "wasm", fused: false },
  { backend: "cpu", fused: true },
] as const;

for (const { backend, fused } of VARIANTS) {
  describe(`parity with PyTorch on ${backend}, ${fused ? "fused layers" : "op-by-op layers"}`, { skip: skipWithoutTorch() }, () => {
    for (const c of CASES) {
      describe(c.name, () => {
        let dir: string;
        let ref: Map<string, { shape: number[]; data: Float32Array }>;
        let weights: WeightMap;

        before(async () => {
          requireTorch();
          await selectBackend(backend);
          dir = mkdtempSync(join(tmpdir(), "repotune-parity-"));
          weights = weightsFor(c.config);
          writeSafetensors(join(dir, "model.safetensors"), [...weights].map(([n, t]) => [n, { dtype: "F32", shape: t.shape, data: t.data }] as const));
          const b = c.batch;
          writeFileSync(
            join(dir, "case.json"),
            JSON.stringify({
              config: c.config,
              batch: {
                batchSize: b.batchSize,
                seqLen: b.seqLen,
                inputIds: Array.from(b.inputIds),
                targets: Array.from(b.targets),
                attentionMask: b.attentionMask ? Array.from(b.attentionMask) : null,
                lossMask: b.lossMask ? Array.from(b.lossMask) : null,
              },
              adamw: ADAMW,
            }),
          );
          const r = spawnSync(SYSTEM_PYTHON, [SCRIPT, join(dir, "case.json"), join(dir, "model.safetensors"), join(dir, "out.safetensors")], { encoding: "utf8" });
          assert.equal(r.status, 0, `qwen2_reference.py failed: ${r.stderr}`);
          ref = readSafetensors(join(dir, "out.safetensors")).tensors;
        });
        after(() => {
          if (dir) rmSync(dir, { recursive: true, force: true });
        });

        it("logits agree to 1e-4 on every real position", (t) => {
          const model = build(c.config, weights, fused);
          const logits = model.logits(c.batch);
          const ours = logits.dataSync();
          const theirs = ref.get("logits")!.data;
          const V = c.config.vocab_size;
          let worst = 0;
          for (let pos = 0; pos < c.batch.batchSize * c.batch.seqLen; pos++) {
            if (c.batch.attentionMask && c.batch.attentionMask[pos] === 0) continue;
            for (let j = 0; j < V; j++) worst = Math.max(worst, Math.abs(ours[pos * V + j]! - theirs[pos * V + j]!));
          }
          logits.dispose();
          const before = tf.memory().numTensors;
          model.dispose();
          assert.equal(before - tf.memory().numTensors, model.params.size + 2, "model.dispose frees parameters and rope tables");
          t.diagnostic(`max |logit difference| ${worst.toExponential(2)} (logits up to ${maxAbs(theirs).toFixed(2)})`);
          assert.ok(maxAbs(theirs) > 0.1, "reference logits are not trivially small");
          assert.ok(worst <= 1e-4, `max |logit difference| ${worst.toExponential(2)} > 1e-4`);
        });

        it("loss agrees to 1e-5 relative; every gradient to 1e-3 relative", (t) => {
          const model = build(c.config, weights, fused);
          const { loss, grads } = model.lossAndGrads(c.batch);
          const refLoss = ref.get("loss")!.data[0]!;
          assert.ok(Math.abs(loss - refLoss) <= 1e-5 * Math.abs(refLoss), `loss ${loss} vs PyTorch ${refLoss}`);
          assert.equal(grads.size, model.params.size, "a gradient for every parameter");
          const bad: string[] = [];
          let worstRel = 0;
          for (const [name, g] of grads) {
            const theirs = ref.get(`grad.${name}`)!.data;
            const { rel, maxAbs: m } = diffStats(g.dataSync(), theirs);
            worstRel = Math.max(worstRel, rel);
            // Norm-wise relative error, and no single element off by more than 1e-3 of the largest.
            if (!(rel <= 1e-3 && m <= 1e-3 * maxAbs(theirs) + 1e-9)) bad.push(`${name}: rel ${rel.toExponential(2)}, max abs ${m.toExponential(2)}`);
            assert.ok(maxAbs(theirs) > 0, `${name}: reference gradient is zero`);
          }
          tf.dispose([...grads.values()]);
          model.dispose();
          t.diagnostic(`loss ${loss} vs ${refLoss} (rel ${(Math.abs(loss - refLoss) / refLoss).toExponential(2)}); worst gradient rel error ${worstRel.toExponential(2)}`);
          assert.deepEqual(bad, []);
        });

        it("3 AdamW steps: same losses, weights agree to 1e-4", (t) => {
          const before = tf.memory().numTensors;
          const model = build(c.config, weights, fused);
          const opt = new AdamW(model.params, { beta1: ADAMW.beta1, beta2: ADAMW.beta2, eps: ADAMW.eps, weightDecay: ADAMW.weightDecay });
          const losses: number[] = [];
          const counts: number[] = [];
          for (let s = 0; s < ADAMW.steps; s++) {
            const { loss, grads } = model.lossAndGrads(c.batch);
            losses.push(loss);
            opt.apply(grads, ADAMW.lr);
            tf.dispose([...grads.values()]);
            counts.push(tf.memory().numTensors);
          }
          const refLosses = Array.from(ref.get("losses")!.data);
          losses.forEach((l, i) => assert.ok(Math.abs(l - refLosses[i]!) <= 1e-5 * Math.abs(refLosses[i]!), `step ${i} loss ${l} vs ${refLosses[i]}`));
          assert.ok(refLosses[2]! < refLosses[0]!, "the reference loss went down (the steps did something)");
          const bad: string[] = [];
          let worst = 0;
          for (const [name, v] of model.params) {
            const theirs = ref.get(`step${ADAMW.steps}.${name}`)!.data;
            const { maxAbs: m } = diffStats(v.dataSync(), theirs);
            worst = Math.max(worst, m);
            if (!(m <= 1e-4)) bad.push(`${name}: max abs ${m.toExponential(2)}`);
          }
          t.diagnostic(`weights after ${ADAMW.steps} steps: max |difference| ${worst.toExponential(2)}; losses ${losses.map((l) => l.toFixed(5)).join(", ")}`);
          assert.deepEqual(bad, []);
          // No tensor leaks from one step to the next.
          assert.equal(counts[2], counts[1], `tensor count grew across steps: ${counts.join(", ")}`);
          opt.dispose();
          const beforeModelDispose = tf.memory().numTensors;
          model.dispose();
          // The model frees its parameters and rope tables (what the optimizer frees is its own test's business).
          assert.equal(beforeModelDispose - tf.memory().numTensors, model.params.size + 2, "model.dispose frees its tensors");
          assert.ok(tf.memory().numTensors >= before);
        });
      });
    }
  });
}
