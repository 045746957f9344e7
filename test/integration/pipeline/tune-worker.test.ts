// The whole pipeline in its worker process, as the extension and `repotune tune` run it:
// a micro run completes with every artifact; a run cancelled mid-stage and resumed, and a
// run whose worker is killed with SIGKILL mid-step and resumed, both end with exactly the
// weights of the uninterrupted run.
import assert from "node:assert/strict";
import { servedRole } from "../../../src/pipeline/evaluation/served-role";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { StageName, TrainingJob, WorkerEvent } from "../../../src/core/protocol";
import { readActiveModel } from "../../../src/core/runs/active-model";
import { TrainingWorkerClient } from "../../../src/worker/clients/training-worker-client";
import { makeFixtureRepo } from "./fixture-repo";

const workerScript = join(__dirname, "..", "..", "..", "out", "training-worker.js");
let repo: string;
let outs: string;

// The mechanics below want every run's model active; the if-better rule has its own test.
const job = (out: string, resume = false, activate: TrainingJob["activate"] = "always"): TrainingJob => ({ repo, out, preset: "micro", backend: "wasm", resume, activate });
const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const weightsOf = (out: string) => ({
  sft: sha(join(out, "stages", "sft", "model", "model.safetensors")),
  student: sha(join(out, "stages", "distill", "model", "model.safetensors")),
});

/** Runs a job in a forked worker; `interrupt` sees every event and may cancel or kill. */
async function runWorker(j: TrainingJob, interrupt?: (e: WorkerEvent, client: TrainingWorkerClient) => void) {
  const events: WorkerEvent[] = [];
  const client: TrainingWorkerClient = new TrainingWorkerClient({
    workerScript,
    maxHeapMb: 2048,
    onEvent: (e) => {
      events.push(e);
      interrupt?.(e, client);
    },
  });
  client.start(j);
  const exit = await client.exited;
  return { events, exit };
}

const progressIn = (stage: StageName, atLeast: number) => (e: WorkerEvent) => e.type === "progress" && e.stage === stage && e.step >= atLeast;

describe("repotune tune in the training worker (micro preset)", { timeout: 600_000 }, () => {
  let straight: string;
  let baseline: { sft: string; student: string };

  before(async () => {
    assert.ok(existsSync(workerScript), `${workerScript} is missing: build first (node esbuild.config.mjs)`);
    repo = makeFixtureRepo();
    // Outside the repository: an output folder inside it would be gathered by the next run.
    outs = mkdtempSync(join(tmpdir(), "repotune-outs-"));
    straight = join(outs, "straight");
  });
  after(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(outs, { recursive: true, force: true });
  });

  it("runs every stage and leaves the artifacts: report, GGUFs, active model", async () => {
    const { events, exit } = await runWorker(job(straight));
    assert.equal(exit.code, 0, JSON.stringify(events.filter((e) => e.type === "error")));
    const done = events.find((e) => e.type === "done");
    assert.ok(done && done.type === "done");
    const ended = events.filter((e) => e.type === "stage-end").map((e) => (e.type === "stage-end" ? `${e.stage}:${e.status}` : ""));
    assert.deepEqual(ended, ["gather:done", "tokenizer:done", "pretrain:done", "sft:done", "dpo:done", "rl:skipped", "distill:done", "eval:done", "export:done", "activate:done"]);
    const start = events.find((e) => e.type === "run-start");
    assert.ok(start && start.type === "run-start");
    const report = JSON.parse(readFileSync(join(start.runDir, "report.json"), "utf8"));
    for (const row of ["pretrain", "sft", "dpo", "student"]) assert.equal(typeof report.stages[row].exactMatch, "number", row);
    // The student serves when it keeps 90% of the teacher's exact match and is faster, else the teacher.
    assert.equal(report.activation.role, servedRole(report.stages).role, report.activation.servedReason);
    assert.equal(readActiveModel(straight)?.gguf, join(start.runDir, `${report.activation.role}.gguf`));
    assert.ok(existsSync(join(start.runDir, "student.gguf")));
    assert.ok(existsSync(join(start.runDir, "teacher.gguf")));
    assert.ok(events.some((e) => e.type === "progress" && e.stage === "pretrain" && e.loss > 0 && e.tokensPerSec > 0));
    baseline = weightsOf(straight);
  });

  it("a second run with nothing changed skips every training stage", async () => {
    const { events } = await runWorker(job(straight));
    const skipped = events.filter((e) => e.type === "stage-end" && e.status === "skipped").map((e) => (e.type === "stage-end" ? e.stage : ""));
    assert.deepEqual(skipped, ["tokenizer", "pretrain", "sft", "dpo", "rl", "distill", "eval", "export"]);
    assert.deepEqual(weightsOf(straight), baseline);
  });

  it("cancel mid-SFT stops at a step boundary; resuming ends with the uninterrupted run's weights", async () => {
    const out = join(outs, "cancel");
    let cancelledAt = -1;
    const first = await runWorker(job(out), (e, client) => {
      if (cancelledAt < 0 && progressIn("sft", 13)(e) && e.type === "progress") {
        cancelledAt = e.step;
        client.cancel();
      }
    });
    assert.ok(cancelledAt > 0, "cancel was sent during SFT");
    const end = first.events.find((e) => e.type === "stage-end" && e.status === "cancelled");
    assert.ok(end && end.type === "stage-end" && end.stage === "sft");
    assert.equal(first.exit.code, 0);
    const lastStep = Math.max(...first.events.filter((e) => e.type === "progress" && e.stage === "sft").map((e) => (e.type === "progress" ? e.step : 0)));
    assert.ok(lastStep <= cancelledAt + 1, `stopped within a step of the cancel (${lastStep} vs ${cancelledAt})`);

    const second = await runWorker(job(out, true));
    assert.equal(second.exit.code, 0);
    const resumedSteps = second.events.filter((e) => e.type === "progress" && e.stage === "sft").map((e) => (e.type === "progress" ? e.step : 0));
    assert.ok(resumedSteps[0]! > 1, `SFT resumed from its checkpoint (first step ${resumedSteps[0]})`);
    assert.deepEqual(weightsOf(out), baseline);
  });

  it("kill -9 of the worker mid-step is reported, and the run resumes from the last checkpoint to the same weights", async () => {
    const out = join(outs, "kill");
    const first = await runWorker(job(out), (e, client) => {
      if (progressIn("pretrain", 14)(e)) process.kill(client.pid!, "SIGKILL");
    });
    assert.equal(first.exit.signal, "SIGKILL");
    const error = first.events.at(-1);
    assert.ok(error && error.type === "error" && /SIGKILL/.test(error.message) && /resume/i.test(error.hint), JSON.stringify(error));

    const second = await runWorker(job(out, true));
    assert.equal(second.exit.code, 0);
    const first2 = second.events.find((e) => e.type === "progress" && e.stage === "pretrain");
    assert.ok(first2 && first2.type === "progress" && first2.step > 1, "pretraining resumed from its checkpoint");
    assert.deepEqual(weightsOf(out), baseline);
  });

  it("with the if-better rule, the run says whether its model was activated and why, in the event, report.json and active.json alike", async () => {
    const out = join(outs, "if-better");
    const { events } = await runWorker(job(out, false, "if-better"));
    const activation = events.find((e) => e.type === "activation");
    assert.ok(activation && activation.type === "activation");
    assert.equal(activation.policy, "if-better");
    // A first run: compared with its base on the same probes, with the figures in words.
    assert.match(activation.reason, /the base .* on \d+ held-out probes: exact match [+-][0-9.]+ pts \(p [0-9.]+, .*\), accepted chars/);
    const start = events.find((e) => e.type === "run-start");
    assert.ok(start && start.type === "run-start");
    const report = JSON.parse(readFileSync(join(start.runDir, "report.json"), "utf8"));
    const { role, servedReason, ...decision } = report.activation;
    assert.deepEqual(decision, { activated: activation.activated, policy: "if-better", reason: activation.reason, against: "the base (the model the run started from)" });
    assert.equal(role, servedRole(report.stages).role, "and which of its models it judged, by the serving rule");
    assert.equal(typeof servedReason, "string");
    assert.equal(readActiveModel(out)?.runId, activation.activated ? activation.runId : undefined);
    assert.ok(existsSync(join(start.runDir, "student.gguf")), "kept for \"Use this run's model\" either way");
  });

  it("a copied output folder of a finished run is reused by a new run (nothing retrained)", async () => {
    const out = join(outs, "copy");
    cpSync(straight, out, { recursive: true });
    rmSync(straight, { recursive: true, force: true }); // the copy must not lean on the original
    const { events } = await runWorker(job(out));
    assert.ok(!events.some((e) => e.type === "progress" && e.stage === "pretrain"), "pretraining was not redone");
    const done = events.find((e) => e.type === "done");
    assert.ok(done && done.type === "done");
    for (const path of Object.values(done.artifacts)) assert.ok(path.startsWith(out), `${path} lies in the copied folder`);
  });
});
