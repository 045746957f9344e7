// The model's own contracts: config parsing, deterministic init, weight checks, incremental
// decoding equal to full recomputation, padding that changes nothing, masks that count,
// memory that stays flat. Tiny configs on wasm, the backend users train on.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../../../../src/engine/backends/select";
import {
  ConfigError,
  countParameters,
  IGNORE_INDEX,
  initialWeights,
  makeLmBatch,
  makeQwen2Config,
  parameterShapes,
  parseQwen2Config,
  Qwen2Model,
  trainingFlopsPerToken,
  WeightsError,
} from "../../../../src/engine/model";

const tiny = makeQwen2Config({ vocab_size: 50, hidden_size: 32, intermediate_size: 40, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, initializer_range: 0.2 });

function ids(n: number, seed: number, vocab = 50): number[] {
  return Array.from({ length: n }, (_, i) => (i * 17 + seed * 31 + ((i * i) % 7)) % vocab);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe("Qwen2 config", () => {
  it("reads a real Qwen2.5-Coder-0.5B config.json", () => {
    const c = parseQwen2Config({
      architectures: ["Qwen2ForCausalLM"], attention_dropout: 0.0, bos_token_id: 151643, eos_token_id: 151643, hidden_act: "silu",
      hidden_size: 896, initializer_range: 0.02, intermediate_size: 4864, max_position_embeddings: 32768, max_window_layers: 24,
      model_type: "qwen2", num_attention_heads: 14, num_hidden_layers: 24, num_key_value_heads: 2, rms_norm_eps: 1e-6,
      rope_theta: 1000000.0, sliding_window: 32768, tie_word_embeddings: true, torch_dtype: "bfloat16", transformers_version: "4.44.0",
      use_cache: true, use_sliding_window: false, vocab_size: 151936,
    });
    assert.equal(c.attention_bias, true, "Qwen2 has q/k/v bias though its config does not say so");
    assert.equal(c.max_window_layers, 24, "unknown fields are kept for writing back");
    // 494M parameters, as the model card says (tied embeddings counted once).
    assert.equal(Math.round(countParameters(c) / 1e6), 494);
  });

  it("names the field that is wrong", () => {
    assert.throws(() => parseQwen2Config({ ...tiny, num_key_value_heads: 3 }), (e: unknown) => e instanceof ConfigError && e.field === "num_key_value_heads");
    assert.throws(() => parseQwen2Config({ ...tiny, hidden_size: -1 }), /hidden_size: must be a positive integer/);
    assert.throws(() => parseQwen2Config({ ...tiny, model_type: "gpt2" }), /model_type/);
    assert.throws(() => parseQwen2Config({ ...tiny, hidden_act: "gelu" }), /hidden_act/);
    assert.throws(() => parseQwen2Config({ ...tiny, rope_scaling: { type: "yarn", factor: 4 } }), /rope_scaling/);
    assert.throws(() => parseQwen2Config("{}"), /JSON object/);
  });

  it("a llama config reads without q/k/v bias", () => {
    const c = parseQwen2Config({ ...tiny, model_type: "llama", attention_bias: undefined });
    assert.equal(c.attention_bias, false);
    assert.ok(!parameterShapes(c).has("model.layers.0.self_attn.q_proj.bias"));
  });

  it("counts training FLOPs as 6 x matmul parameters + attention", () => {
    const c = makeQwen2Config({ vocab_size: 2048, hidden_size: 256, intermediate_size: 688, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2 });
    const matmulParams = 4 * (256 * 256 * 2 + 256 * 128 * 2 + 3 * 256 * 688) + 2048 * 256;
    assert.equal(trainingFlopsPerToken(c, 256), 6 * matmulParams + 3 * 4 * 2 * 2 * 256 * 256);
  });
});

describe("Qwen2 model on wasm", () => {
  before(async () => {
    await selectBackend("wasm");
  });

  it("initialises deterministically, with transformers' scheme", () => {
    const a = initialWeights(tiny, 5);
    const b = initialWeights(tiny, 5);
    const c = initialWeights(tiny, 6);
    const q = "model.layers.1.self_attn.q_proj.weight";
    assert.deepEqual(a.get(q)!.data, b.get(q)!.data);
    assert.notDeepEqual(a.get(q)!.data, c.get(q)!.data);
    assert.ok(a.get("model.norm.weight")!.data.every((x) => x === 1));
    assert.ok(a.get("model.layers.0.self_attn.k_proj.bias")!.data.every((x) => x === 0));
    const w = a.get(q)!.data;
    const std = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
    assert.ok(Math.abs(std - 0.2) < 0.02, `init std ${std}`);
  });

  it("refuses weights that do not match the config, naming them", () => {
    const w = initialWeights(tiny, 0);
    w.delete("model.layers.1.mlp.up_proj.weight");
    w.set("model.layers.0.mlp.down_proj.weight", { shape: [32, 41], data: new Float32Array(32 * 41) });
    w.set("model.extra.weight", { shape: [1], data: new Float32Array(1) });
    assert.throws(
      () => Qwen2Model.fromWeights(tiny, w),
      (e: unknown) =>
        e instanceof WeightsError &&
        /missing model\.layers\.1\.mlp\.up_proj\.weight/.test(e.message) &&
        /down_proj\.weight has shape \[32, 41\], expected \[32, 40\]/.test(e.message) &&
        /unexpected tensor model\.extra\.weight/.test(e.message),
    );
  });

  it("round-trips its weights by Hugging Face name", async () => {
    const m = Qwen2Model.create(tiny, { seed: 3 });
    const w = await m.getWeights();
    assert.deepEqual([...w.keys()], [...parameterShapes(tiny).keys()]);
    const m2 = Qwen2Model.fromWeights(tiny, w);
    const batch = { batchSize: 1, seqLen: 6, inputIds: Int32Array.from(ids(6, 1)) };
    const [l1, l2] = [m.logits(batch), m2.logits(batch)];
    assert.equal(maxDiff(l1.dataSync(), l2.dataSync()), 0);
    tf.dispose([l1, l2]);
    m.dispose();
    m2.dispose();
  });

  it("decodes with a KV cache to the same logits as full recomputation (1e-4)", () => {
    const m = Qwen2Model.create(tiny, { seed: 1 });
    const T = 20;
    const seq = [ids(T, 1), ids(T, 2)];
    const full = m.logits({ batchSize: 2, seqLen: T, inputIds: Int32Array.from(seq.flat()) });
    const fullData = full.arraySync();
    const cache = m.newCache();
    // Prefill 7 tokens at once, then one at a time, then 3 at once.
    const chunks = [7, ...Array(10).fill(1), 3];
    let pos = 0;
    let worst = 0;
    for (const n of chunks) {
      const input = Int32Array.from([...seq[0]!.slice(pos, pos + n), ...seq[1]!.slice(pos, pos + n)]);
      const out = m.decode({ batchSize: 2, seqLen: n, inputIds: input }, cache);
      const o = out.arraySync();
      for (let b = 0; b < 2; b++) for (let t = 0; t < n; t++) worst = Math.max(worst, maxDiff(o[b]![t]!, fullData[b]![pos + t]!));
      out.dispose();
      pos += n;
    }
    assert.equal(cache.length, T);
    assert.ok(worst <= 1e-4, `decode vs full: ${worst}`);
    assert.ok(Math.max(...fullData.flat(2).map(Math.abs)) > 0.5, "logits are not trivially small");
    m.disposeCache(cache);
    full.dispose();
    m.dispose();
  });

  it("decoding after the weights change uses the new weights (no stale cached transposes)", () => {
    const m = Qwen2Model.create(tiny, { seed: 8 });
    const prompt = Int32Array.from(ids(6, 3));
    const lastLogits = (): Float32Array => {
      const cache = m.newCache();
      const out = m.decode({ batchSize: 1, seqLen: 5, inputIds: prompt.subarray(0, 5) }, cache);
      const step = m.decode({ batchSize: 1, seqLen: 1, inputIds: prompt.subarray(5) }, cache);
      const v = step.dataSync() as Float32Array;
      tf.dispose([out, step]);
      m.disposeCache(cache);
      return v;
    };
    const before = lastLogits();
    const q = m.params.get("model.layers.0.self_attn.q_proj.weight")!;
    tf.tidy(() => q.assign(tf.mul(q, 3)));
    const after = lastLogits();
    const full = m.logits({ batchSize: 1, seqLen: 6, inputIds: prompt });
    const fullLast = tf.slice(full, [0, 5, 0], [1, 1, tiny.vocab_size]).dataSync();
    assert.ok(maxDiff(after, fullLast) <= 1e-4, `decode after update vs full: ${maxDiff(after, fullLast)}`);
    assert.ok(maxDiff(before, after) > 1e-3, "the update changed the logits");
    full.dispose();
    m.dispose();
  });

  it("padding changes nothing: a padded row's real positions equal the row alone, and its loss too", () => {
    const m = Qwen2Model.create(tiny, { seed: 2 });
    const short = ids(9, 4);
    const long = ids(13, 5);
    const padded = makeLmBatch([long, short], 12, 0);
    assert.ok(padded.attentionMask, "the short row is padded");
    const alone = makeLmBatch([short], 8, 0);
    const lp = m.logits(padded);
    const la = m.logits(alone);
    const diff = maxDiff(tf.slice(lp, [1, 0, 0], [1, 8, tiny.vocab_size]).dataSync(), la.dataSync());
    assert.ok(diff <= 1e-5, `padded vs alone: ${diff}`);
    // Sum-reduced losses add up: the padded batch's sum = each row's sum.
    const sum = (b: ReturnType<typeof makeLmBatch>) => tf.tidy(() => m.loss(b, { reduction: "sum" }).dataSync()[0]!);
    const total = sum(padded);
    const parts = sum(makeLmBatch([long], 12, 0)) + sum(alone);
    assert.ok(Math.abs(total - parts) <= 1e-4 * Math.abs(total), `${total} vs ${parts}`);
    tf.dispose([lp, la]);
    m.dispose();
  });

  it("left padding works too (prompts aligned at the end, as generation batches them)", () => {
    const m = Qwen2Model.create(tiny, { seed: 2 });
    const row = ids(6, 7);
    const inputIds = Int32Array.from([0, 0, 0, ...row]);
    const attentionMask = Uint8Array.from([0, 0, 0, 1, 1, 1, 1, 1, 1]);
    const left = m.logits({ batchSize: 1, seqLen: 9, inputIds, attentionMask });
    const alone = m.logits({ batchSize: 1, seqLen: 6, inputIds: Int32Array.from(row) });
    // Same up to positions: rotary embeddings see positions 3..8 instead of 0..5, and
    // relative-position attention makes that invisible (up to rounding).
    const diff = maxDiff(tf.slice(left, [0, 3, 0], [1, 6, tiny.vocab_size]).dataSync(), alone.dataSync());
    assert.ok(diff <= 1e-4, `left-padded vs alone: ${diff}`);
    tf.dispose([left, alone]);
    m.dispose();
  });

  it("loss masks: ignored targets and zero weights do not count; mean divides by what counts", () => {
    const m = Qwen2Model.create(tiny, { seed: 3 });
    const row = ids(11, 9);
    const full = makeLmBatch([row], 10, 0);
    const sft = makeLmBatch([row], 10, 0, [6]);
    assert.deepEqual(Array.from(sft.targets.slice(0, 5)), Array(5).fill(IGNORE_INDEX));
    const perPos = Array.from(m.targetLogProbs(full, full.targets).dataSync());
    const expected = -perPos.slice(5).reduce((a, b) => a + b, 0) / 5;
    const got = tf.tidy(() => m.loss(sft).dataSync()[0]!);
    assert.ok(Math.abs(got - expected) < 1e-5, `${got} vs ${expected}`);
    const weighted = { ...full, lossMask: Float32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]) };
    assert.ok(Math.abs(tf.tidy(() => m.loss(weighted).dataSync()[0]!) - expected) < 1e-5);
    const { grads, tokens } = m.lossAndGrads(sft);
    assert.equal(tokens, 5);
    tf.dispose([...grads.values()]);
    m.dispose();
  });

  it("sequence log-probs sum the completion tokens (what DPO compares)", () => {
    const m = Qwen2Model.create(tiny, { seed: 4 });
    const b = makeLmBatch([ids(9, 1), ids(9, 2)], 8, 0);
    const mask = Float32Array.from([0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1]);
    const per = m.targetLogProbs(b, b.targets).arraySync();
    const seq = m.sequenceLogProbs(b, b.targets, mask).arraySync();
    for (let r = 0; r < 2; r++) {
      const want = per[r]!.reduce((s, x, t) => s + x * mask[r * 8 + t]!, 0);
      assert.ok(Math.abs(seq[r]! - want) < 1e-4);
      assert.ok(seq[r]! < 0);
    }
    m.dispose();
  });

  it("keeps tf.memory().numTensors flat across training steps", () => {
    const baseline = tf.memory().numTensors;
    const m = Qwen2Model.create(tiny, { seed: 5 });
    const b = makeLmBatch([ids(17, 1), ids(12, 2)], 16, 0);
    const counts: number[] = [];
    for (let s = 0; s < 4; s++) {
      const { grads } = m.lossAndGrads(b);
      // A plain SGD step, so the weights change between steps.
      tf.tidy(() => {
        for (const [name, g] of grads) m.params.get(name)!.assign(tf.sub(m.params.get(name)!, tf.mul(g, 0.1)));
      });
      tf.dispose([...grads.values()]);
      counts.push(tf.memory().numTensors);
    }
    assert.deepEqual(counts.slice(1), [counts[1], counts[1], counts[1]], `tensor counts ${counts.join(", ")}`);
    assert.equal(counts[1]! - baseline, m.params.size + 2, "only parameters and the rope tables stay");
    m.dispose();
  });

  it("LoRA-style adapters: frozen base, gradients only for the adapter's variables", () => {
    const m = Qwen2Model.create(tiny, { seed: 6 });
    m.setTrainable(() => false);
    const a = tf.variable(tf.fill([32, 2], 0.1), true, "test_adapter_a");
    const bb = tf.variable(tf.fill([2, 32], 0.1), true, "test_adapter_b");
    m.adapter = {
      delta: (name, x) => (name.endsWith("q_proj.weight") ? (tf.matMul(tf.matMul(x, a), bb) as tf.Tensor2D) : undefined),
    };
    const vars = new Map([["a", a], ["b", bb]]);
    const { grads } = m.lossAndGrads(makeLmBatch([ids(9, 3)], 8, 0), { variables: vars });
    assert.deepEqual([...grads.keys()].sort(), ["a", "b"]);
    assert.ok(Math.max(...Array.from(grads.get("a")!.dataSync()).map(Math.abs)) > 0);
    assert.equal(m.trainableVariables().size, 0);
    tf.dispose([...grads.values(), a, bb]);
    m.dispose();
  });

  it("rejects token ids outside the vocabulary and over-long sequences", () => {
    const m = Qwen2Model.create(makeQwen2Config({ ...tiny, max_position_embeddings: 8 }), { seed: 0 });
    assert.throws(() => m.logits({ batchSize: 1, seqLen: 2, inputIds: Int32Array.from([1, 50]) }), /token id 50 at 1 is outside the vocabulary/);
    assert.throws(() => m.logits({ batchSize: 1, seqLen: 9, inputIds: new Int32Array(9) }), /max_position_embeddings/);
    m.dispose();
  });
});
