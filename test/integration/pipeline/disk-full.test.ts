// The disk fills up (ENOSPC injected into the writes, as a full disk answers them) while a
// checkpoint, a LoRA adapter, a GGUF file or a log line is written: the previous file stays
// whole and loadable, nothing half-written is left to be mistaken for it, and the message a
// run shows says where to make room and what of RepoTune's own data could go.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { exportGguf, readGguf } from "../../../src/core/formats/gguf";
import { JsonlAppender } from "../../../src/core/store/jsonl-appender";
import { readJsonlFile } from "../../../src/core/store/jsonl-reader";
import { openCheckpoint, saveCheckpoint } from "../../../src/engine/checkpoint";
import { attachLora, DEFAULT_TARGET_MODULES, saveAdapter } from "../../../src/engine/lora";
import { Qwen2Model } from "../../../src/engine/model";
import { catalogPath, downloadModel, DownloadError, type CatalogModel } from "../../../src/hub";
import { explainPipelineError } from "../../../src/pipeline/run/explain-error";
import { startFakeHub } from "../../helpers/fake-hub";
import { TINY } from "../../unit/engine/helpers/tiny-qwen2";
import { useWasmBackend } from "../../unit/engine/helpers/wasm-backend";
import { writeTinyCheckpoint } from "../serve/helpers/tiny-checkpoint";

const root = fs.mkdtempSync(join(tmpdir(), "repotune-enospc-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const sha = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** node:fs itself (the writers read its functions at call time), not this file's read-only view of it. */
const nodeFs = createRequire(__filename)("node:fs") as { writeSync: unknown };

/** Makes every fs.writeSync fail with ENOSPC once `allowBytes` more bytes were written; returns the undo. */
function fillDiskAfter(allowBytes: number): () => void {
  const real = nodeFs.writeSync;
  let written = 0;
  nodeFs.writeSync = (...args: unknown[]) => {
    const data = args[1] as Uint8Array | string;
    const length = typeof args[3] === "number" ? args[3] : typeof data === "string" ? Buffer.byteLength(data) : data.length;
    if (written + length > allowBytes) {
      const err: NodeJS.ErrnoException = new Error("ENOSPC: no space left on device, write");
      err.code = "ENOSPC";
      throw err;
    }
    written += length;
    return (real as (...a: unknown[]) => number)(...args);
  };
  return () => (nodeFs.writeSync = real);
}

/** Runs `body` with the disk filling up after `allowBytes`, and returns what it threw. */
function withFullDisk<T>(allowBytes: number, body: () => T): { error: NodeJS.ErrnoException | undefined } {
  const undo = fillDiskAfter(allowBytes);
  try {
    body();
    return { error: undefined };
  } catch (err) {
    return { error: err as NodeJS.ErrnoException };
  } finally {
    undo();
  }
}

/** Files whose names say they are half-written (our temp files), anywhere under `dir`. */
function leftovers(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).filter((n) => /\.tmp-|\.old-/.test(n));
}

describe("a full disk while writing", () => {
  before(useWasmBackend);

  it("a checkpoint: the previous one stays the latest, complete and verified; no temporary folder is left", () => {
    const model = Qwen2Model.create(TINY, { seed: 1 });
    const ckpts = join(root, "ckpt");
    saveCheckpoint(ckpts, { step: 10, config: TINY, weights: model.params, tokenizer: "{}" });
    for (const allow of [0, 100, 3000]) {
      const { error } = withFullDisk(allow, () => saveCheckpoint(ckpts, { step: 20, config: TINY, weights: model.params, tokenizer: "{}" }));
      assert.equal(error?.code, "ENOSPC", `allowing ${allow} bytes: ${String(error)}`);
      const latest = openCheckpoint(ckpts, { verify: "full" });
      assert.equal(latest.step, 10);
      assert.deepEqual(leftovers(ckpts), []);
    }
    model.dispose();
  });

  it("a LoRA adapter: the previous adapter files stay as they were", () => {
    const model = Qwen2Model.create(TINY, { seed: 2 });
    const lora = attachLora(model, { r: 2, alpha: 4, dropout: 0, targetModules: [...DEFAULT_TARGET_MODULES] }, { seed: 1 });
    const dir = join(root, "adapter");
    saveAdapter(dir, lora, "base");
    const before = { weights: sha(join(dir, "adapter_model.safetensors")), config: sha(join(dir, "adapter_config.json")) };
    for (const [, v] of lora.params) tf.tidy(() => v.assign(tf.onesLike(v)));
    const { error } = withFullDisk(200, () => saveAdapter(dir, lora, "base"));
    assert.equal(error?.code, "ENOSPC");
    assert.deepEqual({ weights: sha(join(dir, "adapter_model.safetensors")), config: sha(join(dir, "adapter_config.json")) }, before);
    assert.deepEqual(leftovers(dir), []);
    lora.dispose();
    model.dispose();
  });

  it("a GGUF export over an earlier one: the earlier file stays whole and readable", async () => {
    const ckpt = join(root, "tiny");
    await writeTinyCheckpoint(ckpt, { seed: 3 });
    const gguf = join(root, "model.gguf");
    exportGguf({ checkpointDir: ckpt, outPath: gguf, dtype: "f16" });
    const before = sha(gguf);
    const { error } = withFullDisk(4096, () => exportGguf({ checkpointDir: ckpt, outPath: gguf, dtype: "f32" }));
    assert.equal(error?.code, "ENOSPC");
    assert.equal(sha(gguf), before);
    assert.ok(readGguf(gguf).tensors.length > 0);
    assert.deepEqual(fs.readdirSync(root).filter((n) => n.startsWith("model.gguf.")), []);
  });

  it("a log line: the lines before it are whole, and the next append after room is made starts a new line", () => {
    const file = join(root, "events.jsonl");
    const log = JsonlAppender.open(file);
    for (let i = 0; i < 5; i++) log.append({ i, text: "x".repeat(100) });
    const { error } = withFullDisk(50, () => log.append({ i: 5, text: "y".repeat(100) }));
    log.close();
    assert.equal(error?.code, "ENOSPC");
    const again = JsonlAppender.open(file);
    again.append({ i: 6 });
    again.close();
    const { records } = readJsonlFile<{ i: number }>(file);
    assert.deepEqual(records.map((r) => r.i), [0, 1, 2, 3, 4, 6]);
  });

  it("a model download: says how much to free where, keeps the part, and resumes from it once there is room", async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 7);
    const model: CatalogModel = { name: "t", title: "T", repo: "org/T-GGUF", file: "t-q8_0.gguf", revision: "main", approxBytes: bytes.length, parameters: 1, contextLength: 1024 };
    const hub = await startFakeHub({ files: [{ repo: model.repo, file: model.file, bytes }] });
    try {
      const folder = join(root, "models");
      const undo = fillDiskAfter(1024 * 1024);
      let err: unknown;
      try {
        await downloadModel(model, { folder, endpoint: hub.endpoint, retryDelayMs: 10 });
      } catch (e) {
        err = e;
      } finally {
        undo();
      }
      assert.ok(err instanceof DownloadError && err.kind === "disk-full", String(err));
      assert.match(err.message, /^the disk holding .* filled up after 1 MB of 3 MB of t-q8_0\.gguf: free [0-9.]+ MB there and run it again: it resumes from .*\.part$/);
      const part = fs.readdirSync(dirname(catalogPath(model, folder))).find((n) => n.endsWith(".part"));
      assert.ok(part, "the part was not kept");
      const done = await downloadModel(model, { folder, endpoint: hub.endpoint, retryDelayMs: 10 });
      assert.ok(done.resumedFrom > 512 * 1024, `resumed from ${done.resumedFrom}`); // what was written before the disk filled
      assert.equal(createHash("sha256").update(fs.readFileSync(done.path)).digest("hex"), createHash("sha256").update(bytes).digest("hex"));
    } finally {
      await hub.close();
    }
  });

  it("the run's message says how much is free where, and what of the data folder could go", () => {
    const out = join(root, "data");
    fs.mkdirSync(join(out, "runs", "r1"), { recursive: true });
    fs.writeFileSync(join(out, "runs", "r1", "student.gguf"), Buffer.alloc(2_000_000));
    fs.mkdirSync(join(out, "stages", "sft"), { recursive: true });
    fs.writeFileSync(join(out, "stages", "sft", "model.safetensors"), Buffer.alloc(3_000_000));
    const err: NodeJS.ErrnoException = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    const { message, hint } = explainPipelineError(err, { out });
    assert.match(message, /^The disk is full/);
    assert.ok(hint.startsWith(`The disk holding ${out} has `) && /has [0-9.]+ [kMG]B free/.test(hint), hint);
    assert.match(hint, /runs holds 2 MB .*delete the folders of runs you no longer need/);
    assert.match(hint, /stages holds 3 MB .*train again from the start/);
    assert.match(hint, /run again with resume/);
  });
});
