// Cancel means cancel, in every stage: a run cancelled while any stage runs (evaluation,
// export and activation included) ends "cancelled", keeps no record that would let a later run
// reuse that stage's partial output as complete, and activates nothing. Each case starts from a
// copy of one finished run with that stage's record removed, so only that stage runs again.
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { STAGES, type StageName, type TrainingJob, type WorkerEventBody } from "../../../src/core/protocol";
import { ACTIVE_MODEL_FILE } from "../../../src/core/runs/active-model";
import { runPipeline } from "../../../src/pipeline/run/orchestrator";
import { resolveBackend } from "../../../src/pipeline/run/resolve-backend";
import { STAGE_RECORD } from "../../../src/pipeline/run/stage-record";
import { buildStages } from "../../../src/pipeline/stages";
import { makeFixtureRepo } from "./fixture-repo";

describe("cancelling each stage of a run (micro preset, in process)", { timeout: 600_000 }, () => {
  const repo = makeFixtureRepo();
  const outs = mkdtempSync(join(tmpdir(), "repotune-cancel-"));
  const finished = join(outs, "finished");
  const job = (out: string): TrainingJob => ({ repo, out, preset: "micro", backend: "wasm", resume: false, activate: "always", replicas: 0 });
  const run = (out: string, cancelAt?: StageName) => {
    const controller = new AbortController();
    const events: WorkerEventBody[] = [];
    const listener = (e: WorkerEventBody) => {
      events.push(e);
      if (e.type === "stage-start" && e.stage === cancelAt) controller.abort();
    };
    return runPipeline(job(out), { stages: buildStages(), listener, signal: controller.signal, resolveBackend }).then((outcome) => ({ outcome, events }));
  };

  before(async () => {
    const { outcome } = await run(finished);
    assert.equal(outcome.status, "done");
  });
  after(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(outs, { recursive: true, force: true });
  });

  for (const stage of STAGES) {
    it(`${stage}: the run ends cancelled, the stage keeps no record, nothing is activated`, async () => {
      const out = join(outs, stage);
      cpSync(finished, out, { recursive: true });
      rmSync(join(out, "stages", stage, STAGE_RECORD), { force: true });
      const activeBefore = readFileSync(join(out, ACTIVE_MODEL_FILE), "utf8");
      const { outcome, events } = await run(out, stage);
      assert.equal(outcome.status, "cancelled");
      const ended = events.find((e) => e.type === "stage-end" && e.stage === stage);
      assert.ok(ended && ended.type === "stage-end" && ended.status === "cancelled", `${stage} ended ${ended?.type === "stage-end" ? ended.status : "never"}`);
      assert.ok(!events.some((e) => e.type === "done"), "a cancelled run reports no done");
      assert.ok(!events.some((e) => e.type === "activation"), "nothing was decided about activation");
      assert.ok(!existsSync(join(out, "stages", stage, STAGE_RECORD)), "no record: the next run does the stage again");
      assert.equal(readFileSync(join(out, ACTIVE_MODEL_FILE), "utf8"), activeBefore, "active.json untouched");
      assert.equal(JSON.parse(readFileSync(join(outcome.runDir, "run.json"), "utf8")).status, "cancelled");
    });
  }
});
