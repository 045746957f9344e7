// A run that starts from a base, in its worker process as the extension runs it: the base's
// own vocabulary instead of a trained one, continued pretraining from the base's weights (a
// small Llama-architecture GGUF made here), the base evaluated as the report's `base` row, and
// no from-scratch warning. A base too large to train all of its weights is reported as such.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TrainingJob, WorkerEvent } from "../../../src/core/protocol";
import { exportGguf } from "../../../src/core/formats/gguf";
import { loadTokenizerJson } from "../../../src/core/tokenizer";
import { TrainingWorkerClient } from "../../../src/worker/clients/training-worker-client";
import { fullTrainingProblem, skipWithoutModel } from "../../../src/pipeline/stages/base-plan";
import { FROM_SCRATCH_NOTE } from "../../../src/pipeline/stages/eval-stage";
import { makeFixtureRepo } from "./fixture-repo";
import { servedRole } from "../../../src/pipeline/evaluation/served-role";
import { LlamaEngine } from "../../../src/serve/llama-engine";
import { TINY, writeTinyCheckpoint } from "../serve/helpers/tiny-checkpoint";

const workerScript = join(__dirname, "..", "..", "..", "out", "training-worker.js");

/** The optimizer steps a stage last reported. */
function lastStep(events: WorkerEvent[], stage: string): number | undefined {
  const steps = events.flatMap((e) => (e.type === "progress" && e.stage === stage && e.unit === undefined ? [e.step] : []));
  return steps[steps.length - 1];
}

/** Runs a job in the training worker, as the extension does; it must end well. */
async function runInWorker(job: TrainingJob): Promise<{ events: WorkerEvent[]; logs: string[] }> {
  const events: WorkerEvent[] = [];
  const client = new TrainingWorkerClient({ workerScript, maxHeapMb: 2048, onEvent: (e) => events.push(e) });
  client.start(job);
  const exit = await client.exited;
  assert.equal(exit.code, 0, JSON.stringify(events.filter((e) => e.type === "error")));
  return { events, logs: events.flatMap((e) => (e.type === "log" ? [e.message] : [])) };
}

describe("repotune tune --base (micro preset, a test-made Llama base)", { timeout: 600_000 }, () => {
  let repo: string;
  let root: string;
  let base: string;
  before(async () => {
    assert.ok(existsSync(workerScript), `${workerScript} is missing: build first (node esbuild.config.mjs)`);
    repo = makeFixtureRepo();
    root = mkdtempSync(join(tmpdir(), "repotune-base-run-"));
    await writeTinyCheckpoint(join(root, "hf"), { seed: 3, config: { ...TINY, model_type: "llama", tie_word_embeddings: false } });
    base = join(root, "tiny-llama.gguf");
    exportGguf({ checkpointDir: join(root, "hf"), outPath: base, dtype: "f32" });
  });
  after(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it("trains from the base's weights on its vocabulary and reports the base beside the run's models", async () => {
    const out = join(root, "out");
    // A random base finds every file hopeless (loss ~ln 563): the threshold is raised so they train.
    const job: TrainingJob = { repo, out, preset: "micro", backend: "wasm", resume: false, activate: "always", base, baseLoss: { hopelessAbove: 50 } };
    const { events, logs } = await runInWorker(job);
    assert.ok(logs.some((m) => m.includes("the base's own vocabulary: 563 tokens")), logs.join("\n"));
    // The base's vocabulary, not one trained on the repository (micro trains 384 tokens).
    const tok = loadTokenizerJson(join(out, "stages", "tokenizer", "tokenizer.json"));
    assert.equal(tok.vocabSize, 563);
    // The base's shape and architecture, not the micro preset's.
    const pretrained = JSON.parse(readFileSync(join(out, "stages", "pretrain", "model", "config.json"), "utf8"));
    assert.equal(pretrained.model_type, "llama");
    assert.equal(pretrained.intermediate_size, TINY.intermediate_size);
    assert.equal(pretrained.vocab_size, TINY.vocab_size);
    assert.equal(pretrained.attention_bias, false);
    const start = events.find((e) => e.type === "run-start");
    assert.ok(start && start.type === "run-start");
    const report = JSON.parse(readFileSync(join(start.runDir, "report.json"), "utf8"));
    assert.equal(report.config.base, base);
    for (const row of ["base", "pretrain", "sft", "student"]) assert.equal(typeof report.stages[row]?.exactMatch, "number", row);
    // The base row is the base itself, evaluated on its own (not a copy of the pretrain row).
    assert.notDeepEqual(report.stages.base, report.stages.pretrain);
    assert.ok(!report.notes.includes(FROM_SCRATCH_NOTE));
    // The trained llama exports to a llama GGUF that llama.cpp evaluated.
    assert.equal(report.config.evalEngine, "llama");
    // Data cleaning with the base: every training file scored by llama.cpp, its verdict kept.
    const cleaning = JSON.parse(readFileSync(join(out, "stages", "pretrain", "base-loss.json"), "utf8"));
    assert.ok(cleaning.files.length > 0 && cleaning.files.every((f: { loss: number; verdict: string }) => Number.isFinite(f.loss) && ["keep", "easy", "hopeless"].includes(f.verdict)));
    assert.ok(logs.some((m) => /data cleaning with the base: \d+ files scored/.test(m)), `the stage says what it cleaned: ${logs.filter((m) => /clean/.test(m)).join(" / ")}`);
    assert.ok(report.notes.some((n: string) => /data cleaning with the base/.test(n)), `and so does the report: ${JSON.stringify(report.notes)}`);
  });

  it("with LoRA: adapters over the frozen base, evaluated and activated as the base's GGUF plus a GGUF adapter", async () => {
    const out = join(root, "out-lora");
    const job: TrainingJob = { repo, out, preset: "micro", backend: "wasm", resume: false, activate: "always", base, lora: { use: "always", r: 4, alpha: 8 }, baseLoss: false };
    const { events, logs } = await runInWorker(job);
    assert.ok(logs.some((m) => /LoRA over the frozen base: rank 4, alpha 8/.test(m)), logs.join("\n"));
    assert.ok(logs.some((m) => /steps fit the .*-minute budget/.test(m)), "the LM stages fit their budget from a timed step");
    // The plan before the first stage: tokens per stage, estimated from a step timed before the run, which the stages reuse.
    const plan = events.find((e) => e.type === "plan");
    assert.ok(plan && plan.type === "plan", "a plan event");
    assert.ok(events.indexOf(plan) < events.findIndex((e) => e.type === "stage-start"), "said before the first stage");
    assert.deepEqual(plan.stages.map((s) => s.stage), ["pretrain", "sft", "dpo", "distill"], "no RL over adapters; a student of half the base's layers");
    const pre = plan.stages[0]!;
    assert.equal(pre.basis, "timed now");
    assert.ok(pre.estimateSec! > 0 && pre.budgetSec! > 0 && pre.estimateSec! <= pre.budgetSec! + 1e-9);
    assert.equal(pre.tokens, pre.steps * 8 * 96, "micro: 8 rows (1 a micro-batch, 8 accumulated) of 96 tokens a step");
    assert.ok(logs.some((m) => /timed by the run's plan/.test(m)), "the stage fitted its budget with the plan's timing");
    const speeds = JSON.parse(readFileSync(join(out, "stage-speeds.json"), "utf8"));
    assert.ok(Object.keys(speeds).some((k) => k.startsWith("pretrain|wasm|") && speeds[k].steps === lastStep(events, "pretrain")), JSON.stringify(speeds));
    assert.ok(!logs.some((m) => /data cleaning with the base/.test(m)), "baseLoss: false turns cleaning off");
    // PEFT's files and the base's path; no copy of the base.
    assert.deepEqual(readdirSync(join(out, "stages", "sft", "model")).sort(), ["adapter_config.json", "adapter_model.safetensors", "repotune-base.json"]);
    const ended = new Map(events.flatMap((e) => (e.type === "stage-end" ? [[e.stage, e]] : [])));
    for (const stage of ["pretrain", "sft", "dpo", "distill", "eval", "export", "activate"] as const) assert.equal(ended.get(stage)?.status, "done", stage);
    // DPO trains the adapters on; its pairs' completions came from llama.cpp; no reward model over adapters yet.
    assert.ok(logs.some((m) => /the reward model does not run over LoRA adapters of a base yet/.test(m)));
    assert.deepEqual(readdirSync(join(out, "stages", "dpo", "dpo", "model")).filter((f) => !f.endsWith(".jsonl")).sort(), ["adapter_config.json", "adapter_model.safetensors", "repotune-base.json"]);
    // rl: micro has no RL steps (and there is no reward model to learn from).
    assert.equal(ended.get("rl")?.status, "skipped");
    // The student: half the base's layers at its width, taken from the teacher with its adapters merged in, a whole model.
    const student = JSON.parse(readFileSync(join(out, "stages", "distill", "model", "config.json"), "utf8"));
    assert.equal(student.num_hidden_layers, 1);
    assert.equal(student.model_type, "llama");
    assert.ok(logs.some((m) => /student: 1 of 2 layers/.test(m)), logs.filter((m) => /student/.test(m)).join("\n"));
    const start = events.find((e) => e.type === "run-start");
    assert.ok(start && start.type === "run-start");
    const report = JSON.parse(readFileSync(join(start.runDir, "report.json"), "utf8"));
    for (const row of ["base", "pretrain", "sft", "dpo", "student"]) assert.equal(typeof report.stages[row]?.exactMatch, "number", row);
    assert.equal(report.config.evalEngine, "llama", "llama.cpp evaluated the adapters over the base");
    // The student serves when it keeps 90% of the teacher's exact match and is faster, else the teacher (base + adapter).
    const active = JSON.parse(readFileSync(join(out, "active.json"), "utf8"));
    assert.equal(report.activation.role, servedRole(report.stages).role, report.activation.servedReason);
    assert.equal(active.role, report.activation.role);
    if (active.role === "teacher") {
      assert.equal(active.gguf, base, "the base serves from where the user keeps it");
      assert.equal(active.lora, join(start.runDir, "teacher-lora.gguf"));
    } else {
      assert.equal(active.gguf, join(start.runDir, "student.gguf"));
      assert.equal(active.lora, undefined);
    }
    // llama.cpp loads the teacher's pair as the completion server would, and completes with it.
    const engine = await LlamaEngine.load({ modelPath: base, threads: 1, gpu: false, lora: { path: join(start.runDir, "teacher-lora.gguf") } });
    try {
      const r = await engine.generate({ prefix: "export function add", suffix: "", maxTokens: 4 });
      assert.ok(r.promptTokens > 0);
    } finally {
      await engine.dispose();
    }
  });

  it("a base too large to train all its weights: the reason names its size and the backend; only then may a stage find no model", () => {
    const problem = fullTrainingProblem(base, "wasm", 1e6);
    assert.match(problem ?? "", /tiny-llama\.gguf has 0\.\d\dM parameters: training all of them takes about .* GB, more than the wasm backend has here/);
    assert.equal(fullTrainingProblem(base, "wasm"), null);
    assert.throws(() => skipWithoutModel({ artifacts: {}, backend: "wasm" }, "SFT needs the pretraining stage's model"), /SFT needs/);
  });
});

describe("a run without a base", () => {
  it("says it trained from scratch and how to get a base", () => {
    assert.match(FROM_SCRATCH_NOTE, /from scratch/);
    assert.match(FROM_SCRATCH_NOTE, /repotune models pull qwen2\.5-coder-0\.5b/);
  });
});
