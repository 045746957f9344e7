// A run's plan before it starts: each training stage's steps and tokens as the stages will run
// them, and its time on this machine from a step timed now or from an earlier run's speed.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { PRESET_TABLE, presetForJob } from "../../../src/core/presets";
import { STAGES, type TrainingJob } from "../../../src/core/protocol";
import { describePlan, planRun } from "../../../src/pipeline/stages/run-plan";
import { lastRunSeconds, readStageSpeeds, recordStageSpeed, STAGE_SPEEDS_FILE, stageSpeedKey } from "../../../src/core/runs/stage-speeds";

const root = mkdtempSync(join(tmpdir(), "repotune-plan-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** A timer that says every micro-batch takes `sec` and counts its calls. */
function fakeTimer(sec: number) {
  const calls: { source: unknown; rows: number; seqLen: number }[] = [];
  const timer = (source: unknown, rows: number, seqLen: number) => {
    calls.push({ source, rows, seqLen });
    return { microSec: sec, tokensPerSec: (rows * seqLen) / sec, trainable: 1 };
  };
  return { timer: timer as never, calls };
}

const all = new Set(STAGES);

describe("run plan", () => {
  it("from scratch: every training stage's tokens; the LM stages' time from one step timed now, shared by the replicas", () => {
    const job: TrainingJob = { repo: root, out: join(root, "scratch"), preset: "tiny", backend: "wasm", resume: false, replicas: 1 };
    const preset = presetForJob(job);
    const { timer, calls } = fakeTimer(0.5);
    const plan = planRun({ job, preset, backend: "wasm", selected: all }, timer);
    assert.equal(calls.length, 1, "one step timed");
    assert.equal(calls[0]!.rows, 4);
    assert.equal(calls[0]!.seqLen, 256);
    assert.deepEqual(plan.stages.map((s) => s.stage), ["pretrain", "sft", "dpo", "rl", "distill"]);
    const pre = plan.stages[0]!;
    assert.equal(pre.steps, PRESET_TABLE.tiny.steps.pretrain);
    assert.equal(pre.tokens, 200 * 4 * 256);
    assert.equal(pre.basis, "timed now");
    assert.equal(pre.estimateSec, 200 * 0.25, "two threads share each micro-batch");
    assert.equal(plan.timedStep!.microSec, 0.25);
    const dpo = plan.stages.find((s) => s.stage === "dpo")!;
    assert.equal(dpo.steps, 16 + 12, "DPO and the reward model");
    assert.equal(dpo.tokens, 28 * 4 * 2 * 256, "two rows a pair");
    assert.equal(dpo.estimateSec, null, "nothing measured DPO here yet");
    assert.equal(plan.estimateSec, null);
    assert.equal(plan.stages.find((s) => s.stage === "rl")!.tokens, 12 * 4 * 4 * 24, "tokens sampled: k = 4 completions of 24 tokens a prompt");
    assert.match(describePlan(plan, null), /pretrain: 200 steps, 204,800 tokens, ~50 s \(from a step timed now\)/);
    assert.match(describePlan(plan, null), /dpo: 28 steps, 57,344 tokens, not measured here yet/);
  });

  it("the next run estimates every stage from this one's speed here, and times nothing", () => {
    const job: TrainingJob = { repo: root, out: join(root, "again"), preset: "tiny", backend: "wasm", resume: false, replicas: 1 };
    const inputs = { job, preset: presetForJob(job), backend: "wasm", selected: all };
    const first = planRun(inputs, fakeTimer(0.5).timer);
    first.recordStage("pretrain", 120, 200);
    first.recordStage("sft", 60, 120);
    first.recordStage("dpo", 28, 28);
    first.recordStage("rl", 48, 12);
    first.recordStage("distill", 24, 48);
    assert.equal(Object.keys(readStageSpeeds(job.out)).length, 5);
    const { timer, calls } = fakeTimer(0.5);
    const next = planRun(inputs, timer);
    assert.equal(calls.length, 0);
    assert.ok(next.stages.every((s) => s.basis === "earlier run"));
    assert.equal(next.stages[0]!.estimateSec, 120);
    assert.equal(next.estimateSec, 120 + 60 + 28 + 48 + 24);
    // Another backend is another speed.
    const { calls: gpuCalls, timer: gpuTimer } = fakeTimer(0.01);
    planRun({ ...inputs, backend: "webgpu" }, gpuTimer);
    assert.equal(gpuCalls.length, 1);
    // A damaged record is started over, never an error.
    writeFileSync(join(job.out, STAGE_SPEEDS_FILE), "{not json");
    assert.deepEqual(readStageSpeeds(job.out), {});
    assert.equal(planRun(inputs, fakeTimer(0.5).timer).stages[0]!.basis, "timed now");
  });

  it("LoRA over a base: one row a micro-batch timed with the adapters, steps cut to each stage's budget, a student of half its layers, no RL", () => {
    // A base folder's config.json is all a plan reads (its weights are the fake timer's business).
    const base = join(root, "base");
    mkdirSync(base);
    writeFileSync(join(base, "config.json"), JSON.stringify({ model_type: "qwen2", architectures: ["Qwen2ForCausalLM"], vocab_size: 576, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 1024, rms_norm_eps: 1e-6, rope_theta: 10000, tie_word_embeddings: true }));
    const job: TrainingJob = { repo: root, out: join(root, "lora"), preset: "tiny", backend: "wasm", resume: false, base, lora: { use: "always", r: 8 } };
    const { timer, calls } = fakeTimer(2);
    const plan = planRun({ job, preset: presetForJob(job), backend: "wasm", selected: all }, timer);
    assert.equal(calls[0]!.rows, 1);
    assert.deepEqual((calls[0]!.source as { lora: { r: number } }).lora.r, 8);
    assert.deepEqual(plan.stages.map((s) => s.stage), ["pretrain", "sft", "dpo", "distill"], "the student (2 of 4 layers, 70K parameters) trains whole here");
    const pre = plan.stages[0]!;
    // 4 accumulated rows of 2 s: 8 s a step; 30% of 10 minutes is 180 s: 22 steps.
    assert.equal(pre.budgetSec, 180);
    assert.equal(pre.steps, 22);
    assert.equal(pre.estimateSec, 22 * 8);
    assert.equal(pre.tokens, 22 * 4 * 256);
  });

  it("plans only the stages asked for, and none for a run that trains nothing", () => {
    const job: TrainingJob = { repo: root, out: join(root, "some"), preset: "micro", backend: "wasm", resume: false, stages: ["eval"] };
    const plan = planRun({ job, preset: presetForJob(job), backend: "wasm", selected: new Set(["gather", "eval"]) }, fakeTimer(1).timer);
    assert.deepEqual(plan.stages, []);
    assert.equal(plan.timedStep, null);
    assert.equal(describePlan(plan, null), "plan: no training stage runs");
  });

  it("under --minutes a from-scratch run's LM stages get budgets too, and the plan fits them", () => {
    const job: TrainingJob = { repo: root, out: join(root, "minutes"), preset: "tiny", backend: "wasm", resume: false, replicas: 0, minutes: 2 };
    const plan = planRun({ job, preset: presetForJob(job), backend: "wasm", selected: all }, fakeTimer(1).timer);
    const pre = plan.stages[0]!;
    assert.equal(pre.budgetSec, 2 * 60 * 0.3);
    assert.equal(pre.steps, 36, "36 one-second steps fit 36 s (the preset, scaled to 2 minutes, asks 40)");
    assert.match(describePlan(plan, 2), /^plan for --minutes 2:/);
  });

  it("the preset picker's figure: the last run of a preset here, its stages added up, not another backend's or model's", async () => {
    const out = join(root, "picker");
    const key = (stage: string, backend: string, model = "scratch") => stageSpeedKey({ stage, backend, model, preset: "tiny", lora: "full", replicas: 1 });
    assert.equal(lastRunSeconds(out, "tiny"), null, "nothing ran here yet");
    recordStageSpeed(out, key("pretrain", "webgpu"), { durationSec: 10, steps: 200 });
    await new Promise((r) => setTimeout(r, 5));
    recordStageSpeed(out, key("pretrain", "wasm"), { durationSec: 95, steps: 200 });
    recordStageSpeed(out, key("sft", "wasm"), { durationSec: 60, steps: 120 });
    recordStageSpeed(out, key("eval", "wasm"), { durationSec: 120, steps: null });
    recordStageSpeed(out, stageSpeedKey({ stage: "sft", backend: "wasm", model: "scratch", preset: "micro", lora: "full", replicas: 0 }), { durationSec: 7, steps: 80 });
    assert.deepEqual(lastRunSeconds(out, "tiny"), { seconds: 95 + 60 + 120, stages: 3 });
    assert.deepEqual(lastRunSeconds(out, "micro"), { seconds: 7, stages: 1 });
    assert.equal(lastRunSeconds(out, "small"), null);
    assert.equal(stageSpeedKey({ stage: "sft", backend: "wasm", model: "a|b.gguf:9", preset: "tiny", lora: "full", replicas: 0 }).split("|").length, 6, "a | in a file name does not shift the fields");
  });
});
