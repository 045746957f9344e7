import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { readSafetensors } from "../../../../src/core/formats/safetensors";
import { openCheckpoint, resumeTraining, saveCheckpoint } from "../../../../src/engine/checkpoint";
import {
  adapterFiles,
  attachLora,
  DEFAULT_TARGET_MODULES,
  detachLora,
  loadAdapterWeights,
  LoraAdapters,
  mergedWeights,
  mergeInto,
  readAdapterConfig,
  saveAdapter,
  type LoraConfig,
} from "../../../../src/engine/lora";
import { Qwen2Model, type TokenBatch } from "../../../../src/engine/model";
import { Trainer, type TrainerOptions } from "../../../../src/engine/train";
import { lmData, lmLoss, TINY, type LmMicroBatch } from "../helpers/tiny-qwen2";
import { useWasmBackend } from "../helpers/wasm-backend";

const LORA: LoraConfig = { r: 4, alpha: 8, dropout: 0.1, targetModules: [...DEFAULT_TARGET_MODULES] };
const options: TrainerOptions = { totalSteps: 6, microBatchSize: 2, gradientAccumulationSteps: 2, peakLr: 2e-2, warmupSteps: 1, seed: 3 };
// A frozen head with transformers' 0.02 init can barely move the logits; a larger init gives
// the adapters something to steer, like a pretrained base does.
const BASE = { ...TINY, initializer_range: 0.5 };
const probe: TokenBatch = { batchSize: 2, seqLen: 8, inputIds: Int32Array.from({ length: 16 }, (_, i) => (i * 5 + 3) % 32) };

function logits(model: Qwen2Model): Float32Array {
  const t = model.logits(probe);
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}

async function snapshot(params: ReadonlyMap<string, tf.Tensor>): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [n, v] of params) out.set(n, new Float32Array((await v.data()) as Float32Array));
  return out;
}

function tempDir(): string {
  return fs.mkdtempSync(join(tmpdir(), "repotune-lora-"));
}

/** A base model with trained adapters, shared by the tests below. */
let trained: { model: Qwen2Model; lora: LoraAdapters; losses: number[]; baseBefore: Map<string, Float32Array> };

describe("LoRA", () => {
  before(useWasmBackend);

  it("computes scaling * B A x (alpha / r, or alpha / sqrt(r) with rsLoRA), by hand", () => {
    const w = tf.variable(tf.zeros([3, 4]));
    const x = [[1, 2, 0, -1], [0.5, 0, 1, 2]];
    const A = [[1, 0, 2, 0], [0, -1, 0, 1]];
    const B = [[1, 2], [0, 1], [-1, 0]];
    for (const [useRslora, scale] of [[false, 6 / 2], [true, 6 / Math.SQRT2]] as const) {
      const lora = new LoraAdapters(new Map([["model.layers.0.mlp.up_proj.weight", w]]), { r: 2, alpha: 6, dropout: 0, targetModules: ["up_proj"], useRslora });
      const pair = lora.pair("model.layers.0.mlp.up_proj.weight")!;
      pair.a.assign(tf.tensor2d(A));
      pair.b.assign(tf.tensor2d(B));
      const xt = tf.tensor2d(x);
      const got = lora.delta("model.layers.0.mlp.up_proj.weight", xt, true)!;
      const expected = x.flatMap((row) => B.map((brow) => scale * brow.reduce((s, bv, k) => s + bv * A[k]!.reduce((t, av, j) => t + av * row[j]!, 0), 0)));
      assert.ok(maxDiff(got.dataSync(), expected) < 1e-5, `${[...got.dataSync()]} vs ${expected}`);
      assert.equal(lora.delta("model.layers.0.mlp.down_proj.weight", xt, true), undefined);
      tf.dispose([xt, got]);
      lora.dispose();
    }
    w.dispose();
  });

  it("starts equal to the base (B = 0) and trains only A and B: loss falls, base weights unchanged", async () => {
    const model = Qwen2Model.create(BASE, { seed: 4 });
    const baseLogits = logits(model);
    const baseBefore = await snapshot(model.params);
    const lora = attachLora(model, LORA, { seed: 1 });
    assert.equal(lora.params.size, 2 * 7 * TINY.num_hidden_layers);
    assert.deepEqual([...model.trainableVariables().keys()].sort(), [...lora.params.keys()].sort(), "the adapters train, no base weight does");
    assert.deepEqual(logits(model), baseLogits);
    const pair = lora.pair("model.layers.1.self_attn.k_proj.weight")!;
    assert.deepEqual(pair.a.shape, [4, 16]);
    assert.deepEqual(pair.b.shape, [8, 4]);

    const trainer = new Trainer<LmMicroBatch>(lora.params, lmData(10), lmLoss(model), { ...options, totalSteps: 12, microBatchSize: 4, gradientAccumulationSteps: 1, peakLr: 5e-2, seeded: [lora] });
    const losses: number[] = [];
    const tensorCounts: number[] = [];
    await trainer.run({ onStep: (e) => void (losses.push(e.loss), tensorCounts.push(tf.memory().numTensors)) });
    trainer.dispose();
    // The first step builds the rope tables; after that, not one tensor more per step.
    assert.equal(new Set(tensorCounts.slice(1)).size, 1, `tensor counts ${tensorCounts.join(", ")}`);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(losses.slice(-3)) < 0.85 * mean(losses.slice(0, 3)), `losses ${losses.map((l) => l.toFixed(3)).join(" ")}`);
    const baseAfter = await snapshot(model.params);
    for (const [n, before] of baseBefore) assert.deepEqual(baseAfter.get(n), before, `${n} changed`);
    for (const [n, v] of lora.params) if (n.includes("lora_B")) assert.ok(maxDiff(v.dataSync(), new Float32Array(v.size)) > 0, `${n} is still zero`);
    assert.ok(maxDiff(logits(model), baseLogits) > 1e-3);
    trained = { model, lora, losses, baseBefore };
  });

  it("draws dropout masks from the seed: same seed, same loss; eval mode has no dropout", () => {
    const { model, lora } = trained;
    const batch = lmData(4).batch([0, 1, 2, 3]);
    const lossAt = (seed: number, training: boolean) => {
      lora.reseed(seed);
      const l = model.loss(batch, { training });
      const v = l.dataSync()[0] as number;
      l.dispose();
      return v;
    };
    assert.equal(lossAt(1, true), lossAt(1, true));
    assert.notEqual(lossAt(1, true), lossAt(2, true));
    assert.equal(lossAt(1, false), lossAt(2, false));
  });

  it("merges into the weights: the merged model's logits equal the adapted model's to 1e-5", async () => {
    const { model, lora } = trained;
    const adapted = logits(model);
    const merged = Qwen2Model.fromWeights(BASE, await mergedWeights(model.params, lora));
    assert.ok(maxDiff(logits(merged), adapted) < 1e-5, `max diff ${maxDiff(logits(merged), adapted)}`);
    // Only the targeted projections changed.
    const mw = await snapshot(merged.params);
    assert.deepEqual(mw.get("model.layers.0.input_layernorm.weight"), trained.baseBefore.get("model.layers.0.input_layernorm.weight"));
    assert.deepEqual(mw.get("model.embed_tokens.weight"), trained.baseBefore.get("model.embed_tokens.weight"));
    assert.ok(maxDiff(mw.get("model.layers.0.mlp.down_proj.weight")!, trained.baseBefore.get("model.layers.0.mlp.down_proj.weight")!) > 0);
    merged.dispose();
    // In place, on a copy of the base: same answer, and no adapter needed any more.
    const copy = Qwen2Model.fromWeights(BASE, await snapshotAsWeights(model));
    mergeInto(copy.params, lora);
    assert.ok(maxDiff(logits(copy), adapted) < 1e-5);
    copy.dispose();
  });

  it("saves the adapters alone in PEFT's layout, and loads them onto a fresh base", () => {
    const { model, lora } = trained;
    const dir = tempDir();
    saveAdapter(dir, lora, "Qwen/Qwen2.5-Coder-0.5B");
    assert.deepEqual(fs.readdirSync(dir).sort(), ["adapter_config.json", "adapter_model.safetensors"]);
    const { tensors, metadata } = readSafetensors(join(dir, "adapter_model.safetensors"));
    assert.equal(metadata.format, "pt");
    assert.equal(tensors.size, 28);
    assert.deepEqual(tensors.get("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")?.shape, [4, 16]);
    assert.deepEqual(tensors.get("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight")?.shape, [16, 4]);
    const config = JSON.parse(fs.readFileSync(join(dir, "adapter_config.json"), "utf8"));
    assert.equal(config.peft_type, "LORA");
    assert.equal(config.task_type, "CAUSAL_LM");
    assert.equal(config.r, 4);
    assert.equal(config.lora_alpha, 8);
    assert.equal(config.lora_dropout, 0.1);
    assert.deepEqual(config.target_modules, ["down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj"]);
    assert.equal(config.base_model_name_or_path, "Qwen/Qwen2.5-Coder-0.5B");

    const fresh = Qwen2Model.create(BASE, { seed: 4 });
    const freshLora = attachLora(fresh, readAdapterConfig(dir), { seed: 77 });
    loadAdapterWeights(freshLora, dir);
    assert.deepEqual(logits(fresh), logits(model));
    const smaller = Qwen2Model.create(BASE, { seed: 4 });
    const rank2 = attachLora(smaller, { ...LORA, r: 2 });
    assert.throws(() => loadAdapterWeights(rank2, dir), /adapter_model\.safetensors: does not fit these adapters: "base_model\.model\.model\.layers\.0\.self_attn\.q_proj\.lora_A\.weight" has shape \[4, 16\], expected \[2, 16\]/);
    fs.writeFileSync(join(dir, "adapter_config.json"), JSON.stringify({ ...config, use_dora: true }));
    assert.throws(() => readAdapterConfig(dir), /adapter_config\.json: DoRA adapters/);
    for (const m of [fresh, smaller]) m.dispose();
    freshLora.dispose();
    rank2.dispose();
  });

  it("resumes a LoRA run with dropout exactly (6 steps vs 3 + checkpoint + fresh objects + 3)", async () => {
    const setup = (loraSeed: number) => {
      const model = Qwen2Model.create(BASE, { seed: 9 });
      const lora = attachLora(model, LORA, { seed: loraSeed });
      const trainer = new Trainer<LmMicroBatch>(lora.params, lmData(10), lmLoss(model), { ...options, seeded: [lora] });
      return { model, lora, trainer, dispose: () => (trainer.dispose(), lora.dispose(), model.dispose()) };
    };
    const straight = setup(1);
    const expected: number[] = [];
    await straight.trainer.run({ onStep: (e) => void expected.push(e.loss) });
    straight.dispose();

    const root = tempDir();
    const first = setup(1);
    const losses: number[] = [];
    await first.trainer.run({ untilStep: 3, onStep: (e) => void losses.push(e.loss) });
    saveCheckpoint(root, { step: 3, files: adapterFiles(first.lora), optimizer: first.trainer.optimizer, trainerState: first.trainer.exportState() });
    first.dispose();

    const second = setup(2);
    const ckpt = openCheckpoint(root);
    loadAdapterWeights(second.lora, ckpt.dir);
    resumeTraining(ckpt, { trainer: second.trainer });
    await second.trainer.run({ onStep: (e) => void losses.push(e.loss) });
    second.dispose();
    losses.forEach((l, i) => assert.ok(Math.abs(l - (expected[i] as number)) <= 1e-6, `step ${i + 1}: ${l} vs ${expected[i]}`));
  });

  // Teardown, not a test: nothing here can fail for a missing feature.
  after(() => {
    detachLora(trained.model);
    trained.lora.dispose();
    trained.model.dispose();
  });
});

async function snapshotAsWeights(model: Qwen2Model) {
  const w = await snapshot(model.params);
  return new Map([...w].map(([n, data]) => [n, { shape: model.params.get(n)!.shape, data }]));
}
