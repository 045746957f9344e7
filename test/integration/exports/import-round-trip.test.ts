// Export, train elsewhere, import: a model exported as a Hugging Face folder is trained further
// by PyTorch (test/reference/qwen2_reference.py's AdamW steps, standing in for TRL on a
// cluster), brought back with the import run in the training worker, and the evaluation sees
// the change: the held-out loss of the trained model is lower than that of the one exported,
// on the same probes, and the if-better rule decides its activation as for a run made here.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { exportHf } from "../../../src/core/formats/hf-export/export-hf";
import { readSafetensors, writeSafetensors } from "../../../src/core/formats/safetensors";
import { IMPORT_STAGES, type TrainingJob, type WorkerEvent } from "../../../src/core/protocol";
import { readActiveModel } from "../../../src/core/runs/active-model";
import { importModelFolder } from "../../../src/core/runs/imported-model";
import { readJsonlFile } from "../../../src/core/store/jsonl-reader";
import { loadTokenizerJson } from "../../../src/core/tokenizer/tokenizer-json";
import { saveCheckpoint } from "../../../src/engine/checkpoint";
import { makeQwen2Config, Qwen2Model } from "../../../src/engine/model";
import { TrainingWorkerClient } from "../../../src/worker/clients/training-worker-client";
import { makeFixtureRepo } from "../pipeline/fixture-repo";
import { requireTorch, skipWithoutTorch, SYSTEM_PYTHON } from "../../unit/engine/helpers/torch-reference";
import { useWasmBackend } from "../../unit/engine/helpers/wasm-backend";

const workerScript = join(__dirname, "..", "..", "..", "out", "training-worker.js");
const TOKENIZER = join(__dirname, "..", "..", "fixtures", "tokenizer", "hf-rust.tokenizer.json");
const TRAINER = join(__dirname, "..", "..", "reference", "qwen2_reference.py");
const CONFIG = makeQwen2Config({ vocab_size: 1024, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 256, tie_word_embeddings: true, initializer_range: 0.3 });

async function importRun(job: TrainingJob): Promise<{ events: WorkerEvent[]; code: number | null; runDir: string }> {
  const events: WorkerEvent[] = [];
  const client = new TrainingWorkerClient({ workerScript, maxHeapMb: 2048, onEvent: (e) => void events.push(e) });
  client.start(job);
  const exit = await client.exited;
  const start = events.find((e) => e.type === "run-start");
  assert.ok(start && start.type === "run-start", JSON.stringify(events.filter((e) => e.type === "error")));
  return { events, code: exit.code, runDir: start.runDir };
}

describe("export, train elsewhere, import", { skip: skipWithoutTorch(), timeout: 600_000 }, () => {
  let root: string;
  let repo: string;
  before(async () => {
    requireTorch();
    assert.ok(existsSync(workerScript), `${workerScript} is missing: build first (node esbuild.config.mjs)`);
    await useWasmBackend();
    root = mkdtempSync(join(tmpdir(), "repotune-import-"));
    repo = makeFixtureRepo();
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  });

  it("the import run evaluates the model trained elsewhere, and sees what the training changed", async (t) => {
    const out = join(root, "data");
    const model = Qwen2Model.create(CONFIG, { seed: 21 });
    const ckpt = saveCheckpoint(join(root, "ours"), { step: 1, config: CONFIG, weights: model.params, tokenizer: readFileSync(TOKENIZER, "utf8") });
    model.dispose();
    const exported = join(root, "exported");
    exportHf({ checkpointDir: ckpt, outDir: exported, dtype: "f32", role: "teacher", row: null, reportPath: null, manifestPath: null, basePath: null, baseModelId: null, repoName: null });

    const job = (imported: string): TrainingJob => ({ repo, out, preset: "micro", backend: "wasm", resume: false, activate: "if-better", stages: [...IMPORT_STAGES], imported });
    const first = await importRun(job(importModelFolder(exported, out, null).dir));
    assert.equal(first.code, 0, JSON.stringify(first.events.filter((e) => e.type === "error")));
    assert.deepEqual(first.events.filter((e) => e.type === "stage-end").map((e) => (e.type === "stage-end" ? `${e.stage}:${e.status}` : "")), ["gather:done", "eval:done", "export:done", "activate:done"]);
    const before = JSON.parse(readFileSync(join(first.runDir, "report.json"), "utf8")) as { stages: Record<string, { bitsPerByte: number; heldoutItems: number; exactMatch: number } | null> };
    assert.ok(before.stages.imported && before.stages.imported.heldoutItems > 0);
    for (const row of ["pretrain", "sft", "dpo", "student"]) assert.equal(before.stages[row], null, `${row} was evaluated in an import run`);
    assert.ok(existsSync(join(first.runDir, "teacher.gguf")));
    // Nothing served before: the import serves now.
    assert.equal(readActiveModel(out)?.gguf, join(first.runDir, "teacher.gguf"));

    // "Elsewhere": 40 AdamW steps of PyTorch on the training files (never the held-out ones),
    // from the exported weights, as a trainer would continue from them.
    const tokenizer = loadTokenizerJson(TOKENIZER);
    const T = 64;
    const texts = readJsonlFile<{ text: string }>(join(out, "dataset", "pretrain.jsonl")).records.map((r) => r.text);
    // Every 65-token window of every training file, 48 at most: enough not to overfit a few.
    const windows = texts.flatMap((t) => {
      const ids = tokenizer.encode(t);
      return Array.from({ length: Math.floor(ids.length / (T + 1)) }, (_, i) => ids.slice(i * (T + 1), (i + 1) * (T + 1)));
    });
    const usable = windows.filter((_, i) => i % Math.max(1, Math.floor(windows.length / 48)) === 0).slice(0, 48);
    assert.ok(usable.length >= 16, `too few training windows: ${windows.length} from ${texts.length} files`);
    const casePath = join(root, "case.json");
    writeFileSync(casePath, JSON.stringify({
      config: CONFIG,
      batch: { batchSize: usable.length, seqLen: T, inputIds: usable.flatMap((r) => r.slice(0, T)), targets: usable.flatMap((r) => r.slice(1)) },
      adamw: { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, steps: 40 },
    }));
    const trainedOut = join(root, "trained.safetensors");
    const r = spawnSync(SYSTEM_PYTHON, [TRAINER, casePath, join(exported, "model.safetensors"), trainedOut], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const { tensors } = readSafetensors(trainedOut);
    const losses = tensors.get("losses")!.data;
    assert.ok(losses[losses.length - 1]! < 0.8 * losses[0]!, `the trainer did not train: ${[...losses].map((l) => l.toFixed(2)).join(" ")}`);
    const trained = join(root, "trained-elsewhere");
    spawnSync("cp", ["-r", exported, trained]);
    writeSafetensors(join(trained, "model.safetensors"), [...tensors].filter(([n]) => n.startsWith("step40.")).map(([n, t]) => [n.slice("step40.".length), { dtype: "F32", shape: t.shape, data: t.data }]), { format: "pt" });

    const second = await importRun(job(importModelFolder(trained, out, null).dir));
    assert.equal(second.code, 0, JSON.stringify(second.events.filter((e) => e.type === "error")));
    const after = JSON.parse(readFileSync(join(second.runDir, "report.json"), "utf8")) as typeof before & { activation: { activated: boolean; reason: string } };
    assert.equal(after.stages.imported!.heldoutItems, before.stages.imported!.heldoutItems);
    t.diagnostic(`held-out bits per byte: exported ${before.stages.imported!.bitsPerByte.toFixed(3)}, trained elsewhere ${after.stages.imported!.bitsPerByte.toFixed(3)} (${after.stages.imported!.heldoutItems} probes); PyTorch loss ${losses[0]!.toFixed(3)} -> ${losses[losses.length - 1]!.toFixed(3)}; activated: ${after.activation.activated} (${after.activation.reason})`);
    assert.ok(
      after.stages.imported!.bitsPerByte < before.stages.imported!.bitsPerByte - 0.1,
      `held-out bits per byte ${before.stages.imported!.bitsPerByte.toFixed(3)} exported -> ${after.stages.imported!.bitsPerByte.toFixed(3)} trained elsewhere`,
    );
    // Judged against the model serving now (the first import), as a run made here would be.
    assert.match(after.activation.reason, /active model|better|same model/);
    const served = readActiveModel(out)!;
    assert.equal(served.gguf === join(second.runDir, "teacher.gguf"), after.activation.activated);
  });
});
