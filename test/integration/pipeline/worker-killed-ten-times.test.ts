// kill -9 of the training worker at random steps, ten times in one run: each time the run is
// resumed (as `repotune tune --resume` and the extension's "Resume" do), continues from its
// last checkpoint, and in the end finishes with its report and exactly the weights of a run
// that was never interrupted: nothing lost, nothing trained twice.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TrainingJob, WorkerEvent } from "../../../src/core/protocol";
import { seededRandom } from "../../../src/core/random/seeded-random";
import { readJsonlFile } from "../../../src/core/store/jsonl-reader";
import { TrainingWorkerClient } from "../../../src/worker/clients/training-worker-client";
import { makeFixtureRepo } from "./fixture-repo";

const workerScript = join(__dirname, "..", "..", "..", "out", "training-worker.js");
const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const weightsOf = (out: string) => ({
  pretrain: sha(join(out, "stages", "pretrain", "model", "model.safetensors")),
  sft: sha(join(out, "stages", "sft", "model", "model.safetensors")),
  dpo: sha(join(out, "stages", "dpo", "dpo", "model", "model.safetensors")),
  student: sha(join(out, "stages", "distill", "model", "model.safetensors")),
});

/** Where to kill: the first progress event of `stage` at `step` or later. */
interface KillPoint {
  stage: string;
  step: number;
}

async function run(job: TrainingJob, at?: KillPoint): Promise<{ events: WorkerEvent[]; killedIn?: string; code: number | null }> {
  const events: WorkerEvent[] = [];
  let killedIn: string | undefined;
  const client: TrainingWorkerClient = new TrainingWorkerClient({
    workerScript,
    maxHeapMb: 2048,
    onEvent: (e) => {
      events.push(e);
      if (!at || killedIn || e.type !== "progress" || e.stage !== at.stage) return;
      if (e.step >= at.step) {
        killedIn = `${e.stage} step ${e.step}`;
        process.kill(client.pid!, "SIGKILL");
      }
    },
  });
  client.start(job);
  const exit = await client.exited;
  return { events, code: exit.code, ...(killedIn ? { killedIn } : {}) };
}

describe("the training worker killed ten times in one run", { timeout: 900_000 }, () => {
  let repo: string;
  let outs: string;
  before(() => {
    assert.ok(existsSync(workerScript), `${workerScript} is missing: build first (node esbuild.config.mjs)`);
    repo = makeFixtureRepo("repotune-kills-");
    outs = mkdtempSync(join(tmpdir(), "repotune-kills-out-"));
  });
  after(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(outs, { recursive: true, force: true });
  });

  it("resumes from the last checkpoint every time and ends with its report and the uninterrupted run's weights", async (t) => {
    const job = (out: string, resume: boolean): TrainingJob => ({ repo, out, preset: "micro", backend: "wasm", resume, activate: "always" });
    const straight = join(outs, "straight");
    const clean = await run(job(straight, false));
    assert.equal(clean.code, 0, JSON.stringify(clean.events.filter((e) => e.type === "error")));

    const out = join(outs, "killed");
    // Ten random steps over the training stages, in the order a run reaches them: three in
    // pretraining and in SFT (80 steps each in micro), two in DPO + reward (16) and distillation (32).
    const rand = seededRandom(16);
    const points = (stage: string, n: number, steps: number): KillPoint[] =>
      Array.from({ length: n }, () => 1 + Math.floor(rand() * (steps - 1))).sort((a, b) => a - b).map((step) => ({ stage, step }));
    const plan = [...points("pretrain", 3, 80), ...points("sft", 3, 80), ...points("dpo", 2, 16), ...points("distill", 2, 32)];
    const kills: string[] = [];
    let runId: string | undefined;
    for (const [attempt, point] of plan.entries()) {
      const r = await run(job(out, attempt > 0), point);
      const start = r.events.find((e) => e.type === "run-start");
      assert.ok(start && start.type === "run-start");
      runId ??= start.runId;
      assert.equal(start.runId, runId, "a resume started a new run instead of continuing");
      if (!r.killedIn) assert.fail(`attempt ${attempt} ended before ${point.stage} step ${point.step} (after ${kills.length} kills)`);
      kills.push(r.killedIn);
      const last = r.events.at(-1);
      assert.ok(last && last.type === "error" && /SIGKILL/.test(last.message), `the kill in ${r.killedIn} was not reported: ${JSON.stringify(last)}`);
    }
    t.diagnostic(`killed in: ${kills.join("; ")}`);
    const final = await run(job(out, true));
    assert.equal(final.code, 0, JSON.stringify(final.events.filter((e) => e.type === "error")));
    const start = final.events.find((e) => e.type === "run-start");
    assert.ok(start && start.type === "run-start" && start.runId === runId);
    assert.ok(final.events.some((e) => e.type === "done"));
    const report = JSON.parse(readFileSync(join(start.runDir, "report.json"), "utf8")) as { stages: Record<string, { exactMatch: number } | null> };
    for (const row of ["pretrain", "sft", "dpo", "student"]) assert.equal(typeof report.stages[row]?.exactMatch, "number", row);
    assert.deepEqual(weightsOf(out), weightsOf(straight));
    // The event log survived every kill: at most one fragment per kill, on its own line or ahead
    // of the resumed worker's first record (which is kept).
    const log = readJsonlFile(join(start.runDir, "events.jsonl"));
    const fragments = log.report.corruptLines.length + log.report.fragmentLines.length;
    assert.ok(fragments <= kills.length, `${fragments} torn fragments in events.jsonl after ${kills.length} kills`);
  });
});
