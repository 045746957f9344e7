// The orchestrator's contract, with small stand-in stages (the real ones are tested in
// their own suites): order, skipping unchanged stages by content hash, cancelling at a
// step boundary and resuming the same stage, and errors reported as events.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { parseWorkerEvent, type StageName, type TrainingJob, type WorkerEvent } from "../../../src/core/protocol";
import { runPipeline } from "../../../src/pipeline/run/orchestrator";
import { latestRunId } from "../../../src/core/runs/run-layout";
import { readRunRecord } from "../../../src/core/runs/run-record";
import { throwIfCancelled, type Stage } from "../../../src/pipeline/run/stage";

let out: string;
let repoFile: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), "repotune-orch-"));
  repoFile = join(out, "input.txt");
  writeFileSync(repoFile, "version 1");
});
afterEach(() => rmSync(out, { recursive: true, force: true }));

const job = (over: Partial<TrainingJob> = {}): TrainingJob => ({ repo: out, out, preset: "micro", backend: "cpu", resume: false, ...over });

/** A stage that counts its runs, writes one artifact, and steps `steps` times with a checkpoint file. */
function countingStage(name: StageName, runs: Map<string, number>, opts: { steps?: number; onStep?: (i: number) => void; file?: () => string } = {}): Stage {
  const steps = opts.steps ?? 3;
  return {
    name,
    totalSteps: () => steps,
    inputs: (ctx) => ({ settings: { name, lr: ctx.preset.learningRate }, files: opts.file ? [opts.file()] : [] }),
    async run(ctx) {
      runs.set(name, (runs.get(name) ?? 0) + 1);
      const ckpt = join(ctx.dir, "step.txt");
      let start = 0;
      if (ctx.resume) start = Number(readFileSync(ckpt, "utf8"));
      for (let i = start; i < steps; i++) {
        throwIfCancelled(ctx.signal);
        opts.onStep?.(i);
        ctx.progress({ step: i + 1, totalSteps: steps, loss: 1 / (i + 1), lr: 0.1, tokensPerSec: 10, etaSec: steps - i, rssMb: 1 });
        writeFileSync(ckpt, String(i + 1));
      }
      const artifact = join(ctx.dir, `${name}.out`);
      writeFileSync(artifact, `${name} from ${start}`);
      return { artifacts: { [name]: artifact } };
    },
  };
}

async function run(stages: Stage[], j: TrainingJob, controller = new AbortController()) {
  const events: WorkerEvent[] = [];
  const outcome = await runPipeline(j, {
    stages,
    signal: controller.signal,
    listener: (e) => events.push(e),
    resolveBackend: async (b) => ({ backend: b, device: "test" }),
  });
  return { outcome, events };
}

describe("pipeline orchestrator", () => {
  it("runs stages in order, logs every event to events.jsonl and marks the run done", async () => {
    const runs = new Map<string, number>();
    const { outcome, events } = await run([countingStage("gather", runs), countingStage("pretrain", runs)], job());
    assert.equal(outcome.status, "done");
    assert.deepEqual(Object.keys(outcome.artifacts), ["gather", "pretrain"]);
    const starts = events.filter((e) => e.type === "stage-start").map((e) => (e as { stage: string }).stage);
    assert.deepEqual(starts, ["gather", "pretrain"]);
    const logged = readFileSync(join(outcome.runDir, "events.jsonl"), "utf8").trim().split("\n").map((l) => parseWorkerEvent(JSON.parse(l)));
    assert.deepEqual(logged.map((e) => e.type), events.map((e) => e.type));
    assert.equal(events.at(-1)?.type, "done");
    assert.equal(readRunRecord(out, outcome.runId)?.status, "done");
    assert.equal(latestRunId(out), outcome.runId);
  });

  it("skips a stage whose inputs are unchanged, and reruns it and everything after it when a file changes", async () => {
    const runs = new Map<string, number>();
    const stages = () => [countingStage("gather", runs, { file: () => repoFile }), countingStage("pretrain", runs)];
    await run(stages(), job());
    const second = await run(stages(), job());
    assert.deepEqual([runs.get("gather"), runs.get("pretrain")], [1, 1]);
    const skipped = second.events.filter((e) => e.type === "stage-end" && e.status === "skipped");
    assert.equal(skipped.length, 2);
    assert.match((skipped[0] as { reason?: string }).reason ?? "", /inputs unchanged/);
    assert.ok(second.outcome.artifacts.pretrain, "a skipped stage still hands its artifacts on");

    writeFileSync(repoFile, "version 2");
    await run(stages(), job());
    assert.deepEqual([runs.get("gather"), runs.get("pretrain")], [2, 2]);
  });

  it("cancels at a step boundary, keeps the checkpoint, and --resume continues the same run from it", async () => {
    const runs = new Map<string, number>();
    const controller = new AbortController();
    const stage = () => countingStage("pretrain", runs, { steps: 5, onStep: (i) => i === 2 && controller.abort() });
    const first = await run([stage()], job(), controller);
    assert.equal(first.outcome.status, "cancelled");
    const end = first.events.find((e) => e.type === "stage-end");
    assert.equal(end && end.type === "stage-end" && end.status, "cancelled");
    const progressSteps = first.events.filter((e) => e.type === "progress").map((e) => (e as { step: number }).step);
    assert.deepEqual(progressSteps, [1, 2, 3], "stops right after the step in which cancel arrived");

    const resumed = await run([countingStage("pretrain", runs, { steps: 5 })], job({ resume: true }));
    assert.equal(resumed.outcome.status, "done");
    assert.equal(resumed.outcome.runId, first.outcome.runId, "the cut-off run is continued, not a new one");
    assert.equal(readFileSync(resumed.outcome.artifacts.pretrain!, "utf8"), "pretrain from 3");
    const steps = resumed.events.filter((e) => e.type === "progress").map((e) => (e as { step: number }).step);
    assert.deepEqual(steps, [4, 5]);
  });

  it("reports a failing stage as an error event with a hint and marks the run failed", async () => {
    const failing: Stage = {
      name: "sft",
      totalSteps: () => 1,
      inputs: () => ({ settings: {} }),
      run: async () => {
        throw new Error("sft.jsonl has no samples");
      },
    };
    const { outcome, events } = await run([failing], job());
    assert.equal(outcome.status, "failed");
    const error = events.find((e) => e.type === "error");
    assert.ok(error && error.type === "error" && /no samples/.test(error.message) && error.hint.length > 0);
  });

  it("stages left out with --stages are reported skipped and reuse their earlier outputs", async () => {
    const runs = new Map<string, number>();
    const stages = () => [countingStage("gather", runs), countingStage("pretrain", runs)];
    await run(stages(), job());
    const { outcome, events } = await run(stages(), job({ stages: ["pretrain"] }));
    assert.equal(outcome.status, "done");
    const gatherEnd = events.find((e) => e.type === "stage-end" && e.stage === "gather");
    assert.match(gatherEnd && gatherEnd.type === "stage-end" ? gatherEnd.reason ?? "" : "", /^not in --stages \(using its output/);
    assert.ok(outcome.artifacts.gather);
  });
});

describe("pipeline orchestrator with a stage that always runs", () => {
  it("reruns later stages only when the always-run stage's output changed", async () => {
    const runs = new Map<string, number>();
    const gatherLike = (): Stage => ({ ...countingStage("gather", runs), alwaysRun: true, run: async (ctx) => {
      runs.set("gather", (runs.get("gather") ?? 0) + 1);
      const file = join(ctx.dir, "dataset.txt");
      writeFileSync(file, readFileSync(repoFile, "utf8"));
      return { artifacts: { dataset: file } };
    } });
    const stages = () => [gatherLike(), countingStage("pretrain", runs)];
    await run(stages(), job());
    await run(stages(), job());
    assert.deepEqual([runs.get("gather"), runs.get("pretrain")], [2, 1], "same dataset: pretrain skipped");
    writeFileSync(repoFile, "changed");
    await run(stages(), job());
    assert.deepEqual([runs.get("gather"), runs.get("pretrain")], [3, 2], "new dataset: pretrain reruns");
  });
});
