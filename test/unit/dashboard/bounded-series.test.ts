// The page's run model keeps at most MAX_POINTS progress points per stage however long the
// log, so opening a run of millions of steps costs the same memory as one of thousands; the
// first and latest points stay, and every metric column stays aligned with the steps.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PROTOCOL_VERSION, type WorkerEvent } from "../../../src/core/protocol";
import { applyEvent, createRunModel, MAX_POINTS } from "../../../webview/dashboard/model/run-model";

const time = "2026-12-03T12:00:00.000Z";
const progress = (step: number, metrics?: Record<string, number>): WorkerEvent => ({
  v: PROTOCOL_VERSION, time, type: "progress", stage: "dpo", step, totalSteps: 1_000_000, loss: 1 / step, lr: 1e-4, tokensPerSec: 10, etaSec: 1, rssMb: 100 + step, ...(metrics ? { metrics } : {}),
});

describe("bounded progress series", () => {
  it("keeps at most MAX_POINTS of 250,000 steps, the first and the latest among them, columns aligned", () => {
    const model = createRunModel();
    const steps = 250_000;
    for (let step = 1; step <= steps; step++) applyEvent(model, progress(step, step % 3 === 0 ? { "rewards/margins": step } : undefined));
    const s = model.series.get("dpo")!;
    assert.ok(s.x.length <= MAX_POINTS && s.x.length > MAX_POINTS / 4, `${s.x.length} points`);
    assert.equal(s.x[0], s.offset + 1, "the first step is kept");
    assert.ok(s.offset + steps - s.x[s.x.length - 1]! < s.stride, "the latest point is at most one stride behind");
    for (const column of [s.loss, s.lr, s.tokensPerSec, s.rssMb, s.metrics.get("rewards/margins")!]) assert.equal(column.length, s.x.length);
    assert.ok(s.x.every((x, i) => i === 0 || x > s.x[i - 1]!), "steps stay in order");
    assert.equal(model.stages.dpo.step, steps, "the stage's own step is the latest, whatever was kept");
    assert.equal(model.peakRssMb, 100 + steps);
  });

  it("keeps every point of a run shorter than MAX_POINTS", () => {
    const model = createRunModel();
    for (let step = 1; step <= 1000; step++) applyEvent(model, progress(step));
    assert.equal(model.series.get("dpo")!.x.length, 1000);
  });
});
