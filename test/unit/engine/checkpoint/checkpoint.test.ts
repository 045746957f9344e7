import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { readSafetensors } from "../../../../src/core/formats/safetensors";
import {
  CheckpointError,
  LATEST_MARKER,
  openCheckpoint,
  resumeTraining,
  saveCheckpoint,
} from "../../../../src/engine/checkpoint";
import { parseQwen2Config, Qwen2Model } from "../../../../src/engine/model";
import { Trainer, type TrainerOptions } from "../../../../src/engine/train";
import { lmData, lmLoss, TINY, type LmMicroBatch } from "../helpers/tiny-qwen2";
import { useWasmBackend } from "../helpers/wasm-backend";

const options: TrainerOptions = { totalSteps: 6, microBatchSize: 2, gradientAccumulationSteps: 2, peakLr: 3e-2, warmupSteps: 2, seed: 5, optimizer: { weightDecay: 0.1 } };
const TOKENIZER = JSON.stringify({ version: "1.0", model: { type: "BPE", vocab: {}, merges: [] } });

function tempRoot(): string {
  return fs.mkdtempSync(join(tmpdir(), "repotune-ckpt-"));
}

function setup(seed: number) {
  const model = Qwen2Model.create(TINY, { seed });
  const trainer = new Trainer<LmMicroBatch>(model.params, lmData(10), lmLoss(model), options);
  return { model, trainer, dispose: () => (trainer.dispose(), model.dispose()) };
}

function save(root: string, s: ReturnType<typeof setup>, extra: { keepLast?: number } = {}): string {
  return saveCheckpoint(
    root,
    { step: s.trainer.step, config: TINY, weights: s.model.params, tokenizer: TOKENIZER, optimizer: s.trainer.optimizer, trainerState: s.trainer.exportState() },
    extra,
  );
}

/** A checkpoint at step 3 under a fresh root, for the corruption tests. */
let reference: string;

function copyOf(dir: string): string {
  const root = tempRoot();
  fs.cpSync(dir, root, { recursive: true });
  return root;
}

function expectCheckpointError(fn: () => unknown, file: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CheckpointError, `expected a CheckpointError, got ${String(err)}`);
    assert.equal(err.file, file);
    assert.match(err.problem, pattern);
    return true;
  });
}

/** Rewrites `count` bytes at `offset` of a file in place (same size). */
function patch(path: string, offset: number, bytes: Buffer): void {
  const fd = fs.openSync(path, "r+");
  fs.writeSync(fd, bytes, 0, bytes.length, offset);
  fs.closeSync(fd);
}

describe("checkpoints", () => {
  before(useWasmBackend);

  it("resuming gives the losses of an uninterrupted run (6 steps vs 3 + save + load into fresh objects + 3)", async () => {
    const straight = setup(1);
    const expected: number[] = [];
    await straight.trainer.run({ onStep: (e) => void expected.push(e.loss) });
    straight.dispose();

    const root = tempRoot();
    const first = setup(1);
    const losses: number[] = [];
    await first.trainer.run({ untilStep: 3, onStep: (e) => void losses.push(e.loss) });
    const dir = save(root, first);
    first.dispose();
    reference = copyOf(root);

    // Fresh objects, initialised differently: only the checkpoint can make them agree.
    const second = setup(999);
    const ckpt = openCheckpoint(root);
    assert.equal(ckpt.dir, dir);
    assert.equal(ckpt.step, 3);
    resumeTraining(ckpt, { trainer: second.trainer, weights: second.model.params });
    assert.equal(second.trainer.step, 3);
    await second.trainer.run({ onStep: (e) => void losses.push(e.loss) });
    second.dispose();

    assert.equal(losses.length, 6);
    losses.forEach((l, i) => assert.ok(Math.abs(l - (expected[i] as number)) <= 1e-6, `step ${i + 1}: ${l} vs ${expected[i]}`));
    assert.ok((losses[5] as number) < (losses[0] as number), "the run learns something");
  });

  it("writes a Hugging Face model folder: config.json, model.safetensors with HF names, tokenizer.json", () => {
    const dir = join(reference, "checkpoint-3");
    assert.deepEqual(fs.readdirSync(dir).sort(), ["checkpoint.json", "config.json", "model.safetensors", "optimizer.safetensors", "tokenizer.json", "trainer_state.json"]);
    assert.equal(parseQwen2Config(JSON.parse(fs.readFileSync(join(dir, "config.json"), "utf8"))).hidden_size, 16);
    const { metadata, tensors } = readSafetensors(join(dir, "model.safetensors"));
    assert.equal(metadata.format, "pt");
    assert.deepEqual(tensors.get("model.layers.1.self_attn.k_proj.weight")?.shape, [8, 16]);
    assert.equal(fs.readFileSync(join(dir, "tokenizer.json"), "utf8"), TOKENIZER);
    const opt = readSafetensors(join(dir, "optimizer.safetensors"));
    assert.ok(opt.tensors.has("model.norm.weight.exp_avg_sq"));
    assert.equal(opt.tensors.get("step")?.data[0], 3);
    const state = JSON.parse(fs.readFileSync(join(dir, "trainer_state.json"), "utf8"));
    assert.equal(state.global_step, 3);
    assert.deepEqual(state.data_position, { epoch: 1, offset: 2 });
    assert.equal(state.log_history.length, 3);
    assert.deepEqual(JSON.parse(fs.readFileSync(join(reference, LATEST_MARKER), "utf8")), { format: "repotune-checkpoint-marker", checkpoint: "checkpoint-3", step: 3 });
  });

  it("reports a truncated model.safetensors by name", () => {
    const root = copyOf(reference);
    const file = join(root, "checkpoint-3", "model.safetensors");
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 100);
    expectCheckpointError(() => openCheckpoint(root), file, new RegExp(`${size - 100} bytes, but ${size} were saved: truncated`));
  });

  it("reports flipped bytes in tensor data as corrupt (checksum)", () => {
    const root = copyOf(reference);
    const file = join(root, "checkpoint-3", "optimizer.safetensors");
    patch(file, fs.statSync(file).size - 5, Buffer.from([0x12, 0x34]));
    expectCheckpointError(() => openCheckpoint(root), file, /corrupt: its SHA-256 is/);
    // "size" verification skips the hashing (and so cannot see this).
    assert.equal(openCheckpoint(root, { verify: "size" }).step, 3);
  });

  it("reports a damaged safetensors header with what is wrong in it", () => {
    const root = copyOf(reference);
    const file = join(root, "checkpoint-3", "model.safetensors");
    const at = fs.readFileSync(file).indexOf('"F32"');
    patch(file, at, Buffer.from('"Q32"'));
    expectCheckpointError(() => openCheckpoint(root), file, /unknown dtype "Q32"/);
  });

  it("reports a trainer_state.json that is not JSON, or not a trainer state", () => {
    const root = copyOf(reference);
    const file = join(root, "checkpoint-3", "trainer_state.json");
    const text = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, text.replace('"global_step":', '"global_step";'));
    expectCheckpointError(() => openCheckpoint(root), file, /not valid JSON/);
    fs.writeFileSync(file, text.replace('"repotune-trainer-state"', '"repotune-trainer-stat!"'));
    expectCheckpointError(() => openCheckpoint(root, { verify: "size" }), file, /format is "repotune-trainer-stat!"/);
  });

  it("reports a missing file, a missing manifest and a missing marker", () => {
    const root = copyOf(reference);
    const dir = join(root, "checkpoint-3");
    fs.rmSync(join(dir, "optimizer.safetensors"));
    expectCheckpointError(() => openCheckpoint(root), join(dir, "optimizer.safetensors"), /missing \(the manifest lists it\)/);
    fs.rmSync(join(dir, "checkpoint.json"));
    expectCheckpointError(() => openCheckpoint(dir), join(dir, "checkpoint.json"), /the checkpoint is incomplete/);
    fs.rmSync(join(root, LATEST_MARKER));
    expectCheckpointError(() => openCheckpoint(root), join(root, LATEST_MARKER), /missing, and no checkpoint folder here is known to be complete/);
    expectCheckpointError(() => openCheckpoint(join(root, "nothing")), join(root, "nothing"), /does not exist/);
  });

  it("refuses to resume into a different run or model, naming the file", () => {
    const dir = join(reference, "checkpoint-3");
    const model = Qwen2Model.create(TINY, { seed: 2 });
    const otherSeed = new Trainer<LmMicroBatch>(model.params, lmData(10), lmLoss(model), { ...options, seed: 6 });
    expectCheckpointError(() => resumeTraining(openCheckpoint(reference), { trainer: otherSeed, weights: model.params }), join(dir, "trainer_state.json"), /different run: seed: checkpoint 5, now 6/);
    otherSeed.dispose();
    const otherDecay = new Trainer<LmMicroBatch>(model.params, lmData(10), lmLoss(model), { ...options, optimizer: { weightDecay: 0 } });
    expectCheckpointError(() => resumeTraining(openCheckpoint(reference), { trainer: otherDecay }), join(dir, "optimizer.safetensors"), /other AdamW settings \(weight_decay 0.1, now 0\)/);
    otherDecay.dispose();
    model.dispose();
    const wider = Qwen2Model.create({ ...TINY, intermediate_size: 32 });
    const t = new Trainer<LmMicroBatch>(wider.params, lmData(10), lmLoss(wider), options);
    expectCheckpointError(() => resumeTraining(openCheckpoint(reference), { trainer: t, weights: wider.params }), join(dir, "model.safetensors"), /does not fit the model: "model.layers.0.mlp.gate_proj.weight" has shape \[24, 16\], the model's is \[32, 16\]/);
    t.dispose();
    wider.dispose();
  });

  it("a save that fails midway leaves the previous checkpoint as the latest, and no partial folder", async () => {
    const root = copyOf(reference);
    const s = setup(1);
    const broken = new Map<string, { shape: number[]; data: () => Float32Array }>([
      ["a", { shape: [2], data: () => new Float32Array(2) }],
      ["b", { shape: [2], data: () => { throw new Error("simulated crash while writing"); } }],
    ]);
    assert.throws(() => saveCheckpoint(root, { step: 4, config: TINY, weights: broken, optimizer: s.trainer.optimizer, trainerState: s.trainer.exportState() }), /simulated crash/);
    s.dispose();
    assert.deepEqual(fs.readdirSync(root).sort(), ["checkpoint-3", "latest.json"]);
    assert.equal(openCheckpoint(root).step, 3);
    // A folder left by a process that died mid-save is ignored, and swept by the next save.
    const stale = join(root, ".checkpoint-9.tmp-999999999-abcd1234");
    fs.mkdirSync(stale);
    fs.writeFileSync(join(stale, "model.safetensors"), "half");
    assert.equal(openCheckpoint(root).step, 3);
    saveCheckpoint(root, { step: 5, config: TINY });
    assert.equal(fs.existsSync(stale), false);
    assert.equal(openCheckpoint(root).step, 5);
  });

  it("keeps the last N checkpoints and the best one", () => {
    const root = tempRoot();
    const state = (best: number | null) => ({ ...setupState, best_step: best, best_metric: best === null ? null : 1 });
    const s = setup(1);
    const setupState = s.trainer.exportState();
    s.dispose();
    for (const step of [1, 2, 3, 4]) saveCheckpoint(root, { step, config: TINY, trainerState: state(1) }, { keepLast: 2 });
    assert.deepEqual(fs.readdirSync(root).sort(), ["checkpoint-1", "checkpoint-3", "checkpoint-4", "latest.json"]);
    saveCheckpoint(root, { step: 4, config: { again: true } }, { keepLast: 2 });
    assert.deepEqual(openCheckpoint(root).config, { again: true });
    assert.deepEqual(fs.readdirSync(root).sort(), ["checkpoint-3", "checkpoint-4", "latest.json"]);
  });
});
