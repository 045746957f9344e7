// The dashboard's reducer over fixture event logs: what the timeline, the charts and the
// evaluation table show for a finished, a running and a failed run.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWorkerEvent, type RunReport } from "../../../src/core/protocol";
import { columnSpecs, isDpoAccuracy, isDpoReward, isRlKl, isRlReward, klSpecs, lossSpecs, metricSpecs } from "../../../webview/dashboard/model/chart-data";
import { buildEvalTable, formatEvalValue } from "../../../webview/dashboard/model/eval-table";
import { applyEvent, createRunModel, elapsedSec, stagePercent, type RunModel } from "../../../webview/dashboard/model/run-model";
import { describeStage } from "../../../webview/dashboard/view/timeline-view";
import { makeFixtureEvents, REPORT, type FixtureOptions } from "../../fixtures/dashboard/fixture-run";

function fold(options: FixtureOptions): RunModel {
  const model = createRunModel();
  // Through JSON and the validator, as the host sends them.
  for (const e of makeFixtureEvents(options)) applyEvent(model, parseWorkerEvent(JSON.parse(JSON.stringify(e))));
  return model;
}

describe("dashboard run model", () => {
  it("shows a finished run's timeline: done, skipped with its reason, none pending", () => {
    const m = fold({ progressPoints: 400, end: "done" });
    assert.equal(m.state, "done");
    assert.equal(m.backend, "wasm");
    assert.equal(m.preset, "tiny");
    assert.equal(m.stages.gather.status, "done");
    assert.equal(m.stages.tokenizer.status, "skipped");
    assert.match(m.stages.tokenizer.reason ?? "", /inputs unchanged/);
    for (const s of ["pretrain", "sft", "dpo", "distill", "eval", "export", "activate"] as const) assert.equal(m.stages[s].status, "done", s);
    assert.equal(m.stages.rl.status, "skipped");
    assert.match(m.stages.rl.reason ?? "", /no reward model/);
    for (const s of Object.values(m.stages)) assert.notEqual(s.status, "pending", s.name);
    assert.equal(stagePercent(m.stages.pretrain), 100);
    assert.ok(m.artifacts?.model?.endsWith("student.gguf"));
    assert.ok((elapsedSec(m, Date.now()) ?? 0) > 0);
  });

  it("shows a running stage with its percent and ETA, and later stages pending", () => {
    const m = fold({ progressPoints: 400, end: "running" });
    assert.equal(m.state, "running");
    const d = m.stages.distill;
    assert.equal(d.status, "running");
    assert.equal(d.totalSteps, 80);
    assert.equal(d.step, 48);
    assert.equal(Math.round(stagePercent(d) ?? -1), 60);
    assert.ok((d.etaSec ?? 0) > 0);
    assert.equal(m.stages.eval.status, "pending");
    assert.equal(m.stages.sft.status, "done");
  });

  it("a pending stage says what the plan gave it: tokens, and its time here or that none was measured", () => {
    const m = createRunModel();
    const events = [
      { type: "run-start", runId: "r", runDir: "/r", preset: "tiny", backend: "wasm", device: "CPU" },
      { type: "plan", stages: [{ stage: "pretrain", steps: 200, tokens: 204800, estimateSec: 95, basis: "timed now" }, { stage: "dpo", steps: 28, tokens: 57344, estimateSec: null, basis: null }], estimateSec: null, minutes: null },
    ];
    for (const e of events) applyEvent(m, parseWorkerEvent({ v: 1, time: new Date(0).toISOString(), ...e }));
    assert.deepEqual(m.stages.pretrain.plan, { tokens: 204800, estimateSec: 95 });
    assert.equal(describeStage(m.stages.pretrain, false).detail, "pending · 204,800 tokens, about 1m 35s");
    assert.equal(describeStage(m.stages.dpo, false).detail, "pending · 57,344 tokens, time not measured here yet");
    assert.equal(describeStage(m.stages.eval, false).detail, "pending", "a stage the plan does not train");
    assert.equal(describeStage(m.stages.pretrain, true).detail, "not run", "a finished run that never reached it");
  });

  it("counts elapsed time live only while the run's worker is heard from", () => {
    const m = fold({ progressPoints: 400, end: "running" });
    const last = m.lastEventAt!;
    const atLast = (last - m.startedAt!) / 1000;
    assert.equal(elapsedSec(m, last + 60_000), atLast + 60);
    // Silent for hours (a worker that died without an end event): the clock stops.
    assert.equal(elapsedSec(m, last + 5 * 3_600_000), atLast);
    assert.equal(elapsedSec(m, last + 60_000, false), atLast);
  });

  it("marks the stage an error interrupted as failed, with the message", () => {
    const m = fold({ progressPoints: 400, end: "failed" });
    assert.equal(m.state, "failed");
    assert.equal(m.stages.dpo.status, "failed");
    assert.match(m.stages.dpo.reason ?? "", /out of memory/);
    assert.match(m.error?.hint ?? "", /smaller preset/);
    assert.equal(m.stages.distill.status, "pending");
  });

  it("builds chart series per stage on one run-wide x axis", () => {
    const m = fold({ progressPoints: 400, end: "done" });
    const loss = lossSpecs(m);
    assert.deepEqual(
      loss.map((s) => s.label),
      ["pretrain train", "sft train", "dpo train", "distill train", "pretrain eval", "sft eval", "distill eval"],
    );
    const pre = m.series.get("pretrain")!;
    const sft = m.series.get("sft")!;
    assert.equal(pre.x.length, 180);
    assert.equal(pre.x[0], 1);
    // SFT starts where pretraining's steps end: stages never overlap on the chart.
    assert.equal(sft.offset, 180);
    assert.equal(sft.x[0], 181);
    assert.ok(loss.find((s) => s.label === "pretrain eval")!.points);
    assert.equal(columnSpecs(m, "lr").length, 4);
    assert.deepEqual(
      metricSpecs(m, "dpo", isDpoReward).map((s) => s.label),
      ["rewards/chosen", "rewards/rejected", "rewards/margins"],
    );
    assert.equal(metricSpecs(m, "dpo", isDpoAccuracy).length, 1);
    const kl = klSpecs(m);
    assert.deepEqual(kl.map((s) => s.label), ["kl"]);
    assert.equal(kl[0]!.ys.length, m.series.get("distill")!.x.length);
  });

  it("charts the RL stage's reward and KL per step under TRL's RLOO names", () => {
    const m = createRunModel();
    const base = { v: 1 as const, time: "2025-01-01T00:00:00Z", type: "progress" as const, stage: "rl" as const, totalSteps: 3, loss: 1, lr: 1, tokensPerSec: 1, etaSec: 1, rssMb: 1 };
    for (let step = 1; step <= 3; step++) {
      applyEvent(m, { ...base, step, metrics: { "objective/scores": 0.1 * step, "objective/rlhf_reward": 0.1 * step - 0.01, "objective/kl": 0.02 * step, "objective/entropy": 2, "loss/policy_avg": -0.1 } });
    }
    const reward = metricSpecs(m, "rl", isRlReward);
    assert.deepEqual(reward.map((s) => s.label).sort(), ["objective/rlhf_reward", "objective/scores"]);
    assert.deepEqual(Array.from(reward.find((s) => s.label === "objective/scores")!.ys).map((y) => Number(y.toFixed(3))), [0.1, 0.2, 0.3]);
    const kl = metricSpecs(m, "rl", isRlKl);
    assert.deepEqual(kl.map((s) => s.label), ["objective/kl"]);
    assert.deepEqual(Array.from(kl[0]!.xs), m.series.get("rl")!.x);
    // The distillation chart does not pick up RL's KL.
    assert.deepEqual(klSpecs(m), []);
  });

  it("keeps metric columns aligned when a step does not log a metric", () => {
    const m = createRunModel();
    const base = { v: 1 as const, time: "2025-01-01T00:00:00Z", type: "progress" as const, stage: "dpo" as const, totalSteps: 3, loss: 1, lr: 1, tokensPerSec: 1, etaSec: 1, rssMb: 1 };
    applyEvent(m, { ...base, step: 1 });
    applyEvent(m, { ...base, step: 2, metrics: { "rewards/margins": 0.5 } });
    applyEvent(m, { ...base, step: 3 });
    const col = m.series.get("dpo")!.metrics.get("rewards/margins")!;
    assert.equal(col.length, 3);
    assert.ok(Number.isNaN(col[0]!) && col[1] === 0.5 && Number.isNaN(col[2]!));
  });

  it("merges a held-out line's teacher and student samples", () => {
    const m = createRunModel();
    const s = { v: 1 as const, time: "2025-01-01T00:00:00Z", type: "sample" as const, stage: "eval" as const, path: "a.ts", line: 3, prefix: "x", truth: "y" };
    applyEvent(m, { ...s, teacher: "T" });
    applyEvent(m, { ...s, student: "S" });
    assert.equal(m.samples.size, 1);
    const row = [...m.samples.values()][0]!;
    assert.equal(row.teacher, "T");
    assert.equal(row.student, "S");
  });

  it("marks the best value of each evaluation column", () => {
    const table = buildEvalTable({ stages: REPORT.stages } as RunReport, {});
    assert.equal(table.source, "report");
    // `base` is null in the fixture (no model before fine-tuning): no row for it.
    assert.deepEqual(table.rows.map((r) => r.name), ["pretrain", "sft", "dpo", "student"]);
    const best = (metric: keyof (typeof table.rows)[number]["cells"]) => table.rows.filter((r) => r.cells[metric].best).map((r) => r.name);
    assert.deepEqual(best("exactMatch"), ["dpo"]);
    assert.deepEqual(best("editSimilarity"), ["dpo"]);
    assert.deepEqual(best("preferenceAccuracy"), ["dpo"]);
    assert.deepEqual(best("latencyMsP50"), ["student"]); // lower is better
    assert.deepEqual(best("heldoutItems"), []); // a count, not a score
    assert.equal(formatEvalValue("exactMatch", 0.291), "29.1%");
    assert.equal(formatEvalValue("latencyMsP50", 12.5), "13 ms");
    assert.equal(formatEvalValue("preferenceAccuracy", null), "—");
  });

  it("fills the evaluation table from eval events until report.json exists", () => {
    const m = fold({ progressPoints: 100, end: "done" });
    const live = buildEvalTable(null, m.liveEval);
    assert.equal(live.source, "live");
    assert.deepEqual(live.rows.map((r) => r.name), ["student"]);
    assert.equal(live.rows[0]!.cells.exactMatch.value, REPORT.stages.student.exactMatch);
    assert.equal(buildEvalTable(null, {}).source, "none");
  });

  it("ties are all marked, and a lone value is not called best", () => {
    const t = buildEvalTable({ stages: { sft: { exactMatch: 0.5, latencyMsP50: 10 }, dpo: { exactMatch: 0.5, latencyMsP50: null } } }, {});
    assert.deepEqual(t.rows.map((r) => r.cells.exactMatch.best), [true, true]);
    assert.deepEqual(t.rows.map((r) => r.cells.latencyMsP50.best), [false, false]);
  });
});

describe("charts of stages that do not train", () => {
  it("leave gathering and evaluation out of the loss, lr and tokens/s charts, but not out of memory", () => {
    const m = createRunModel();
    const progress = (stage: string, step: number, loss: number) =>
      applyEvent(m, parseWorkerEvent({ v: 1, time: "2026-11-26T00:00:00.000Z", type: "progress", stage, step, totalSteps: 10, loss, lr: loss ? 1e-3 : 0, tokensPerSec: loss ? 500 : 0, etaSec: 1, rssMb: 300 }));
    progress("gather", 5, 0);
    progress("pretrain", 1, 7.5);
    progress("eval", 3, 0);
    assert.deepEqual(lossSpecs(m).map((s) => s.stage), ["pretrain"]);
    assert.deepEqual(columnSpecs(m, "lr").map((s) => s.stage), ["pretrain"]);
    assert.deepEqual(columnSpecs(m, "tokensPerSec").map((s) => s.stage), ["pretrain"]);
    assert.deepEqual(columnSpecs(m, "rssMb").map((s) => s.stage).sort(), ["eval", "gather", "pretrain"]);
  });
});
