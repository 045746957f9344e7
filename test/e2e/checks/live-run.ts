// What the dashboard must have shown while a run went: samples of the page taken every
// second or so (harness/dashboard.ts), judged here. Each assertion names what it saw.
import assert from "node:assert/strict";
import type { DashboardSample, StageRow } from "../harness/dashboard";

/** The timeline's stages in pipeline order, as the dashboard labels them. */
export const TIMELINE = ["Gather files", "Tokenizer", "Pretrain", "SFT", "DPO", "RL (RLOO)", "Distill", "Evaluate", "Export", "Activate"];
/** The micro preset has no RL steps: that stage ends skipped, with its reason. */
export const finished = (r: StageRow): boolean => r.status === "done" || (r.name === "RL (RLOO)" && r.status === "skipped");
const TRAINING = ["Pretrain", "SFT", "DPO", "Distill"];

const running = (s: DashboardSample): StageRow | undefined => s.stages.find((r) => r.status === "running");
const stepOf = (row: StageRow): number | null => {
  const m = /step (\d+)\/\d+/.exec(row.detail);
  return m ? Number(m[1]) : null;
};
const trainingSeries = (s: DashboardSample) => s.lossSeries.filter((l) => /^(pretrain|sft|dpo|distill) train$/.test(l));

/** The stage timeline advanced: stage after stage, steps within a stage, and every stage done at the end. */
export function assertTimelineAdvanced(samples: readonly DashboardSample[]): void {
  assert.deepEqual(samples.at(-1)?.stages.map((r) => r.name), TIMELINE, "the timeline lists the pipeline's stages in order");
  const live = samples.filter((s) => running(s));
  const order = live.map((s) => TIMELINE.indexOf(running(s)!.name));
  const seen = [...new Set(live.map((s) => running(s)!.name))];
  const trace = JSON.stringify(live.map((s) => `${running(s)!.name}: ${running(s)!.detail}`));
  assert.ok(order.every((v, i) => i === 0 || v >= order[i - 1]!), `the running stage only moves forward: ${trace}`);
  assert.ok(seen.filter((n) => TRAINING.includes(n)).length >= 3, `at least 3 training stages were seen running, one after another: ${JSON.stringify(seen)}`);
  // Within one stage the step counter climbs (the timeline's "step N/M").
  const climbed = TRAINING.some((name) => {
    const steps = live.map((s) => running(s)!).filter((r) => r.name === name).map(stepOf).filter((n): n is number => n !== null);
    return new Set(steps).size >= 2 && steps.every((v, i) => i === 0 || v >= steps[i - 1]!);
  });
  assert.ok(climbed, `a training stage's step counter climbed while it ran: ${trace}`);
  // Stages done so far only grow.
  const done = samples.map((s) => s.stages.filter((r) => r.status === "done").length);
  assert.ok(done.every((v, i) => i === 0 || v >= done[i - 1]!), `stages done never went back: ${JSON.stringify(done)}`);
  const last = samples.at(-1)!;
  assert.deepEqual(
    last.stages.filter((r) => !finished(r)).map((r) => `${r.name}: ${r.detail}`),
    [],
    "every stage is done at the end",
  );
}

/** The loss chart gained points while the run went: new values, new pixels, new stages' series. */
export function assertLossChartGrew(samples: readonly DashboardSample[]): void {
  const live = samples.filter((s) => running(s));
  const summaries = new Set(live.map((s) => s.lossSummary).filter((t) => /\d/.test(t)));
  const pictures = new Set(live.map((s) => s.lossCanvas).filter(Boolean));
  assert.ok(summaries.size >= 3, `the loss chart's latest values changed at least 3 times during the run: ${JSON.stringify([...summaries])}`);
  assert.ok(pictures.size >= 3, `the loss chart was redrawn with new points at least 3 times during the run (${pictures.size} different pictures)`);
  const first = live.find((s) => s.lossCanvas) ?? live[0];
  const last = samples.at(-1)!;
  assert.ok(first, "the dashboard was sampled while the run went");
  const before = trainingSeries(first);
  const after = trainingSeries(last);
  for (const stage of ["pretrain", "sft", "distill"]) assert.ok(after.includes(`${stage} train`), `the loss chart has a "${stage} train" series at the end: ${JSON.stringify(last.lossSeries)}`);
  assert.ok(after.length > before.length, `the loss chart gained series as stages ran: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
  // Each training series' latest value is a real loss.
  for (const m of last.lossSummary.matchAll(/(pretrain|sft|distill) train: ([-\d.e]+)/g)) {
    const value = Number(m[2]);
    assert.ok(Number.isFinite(value) && value > 0, `${m[1]}'s latest loss is a positive number: ${m[0]}`);
  }
}
