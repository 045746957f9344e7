// A stage's steps fit to a time budget from one timed micro-batch, kept for a resumed stage.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { fitStepsToBudget } from "../../../../src/engine/train/step-budget";
import { useWasmBackend } from "../helpers/wasm-backend";

describe("fitting steps to a time budget", () => {
  let w: tf.Variable;
  let params: Map<string, tf.Variable>;
  before(async () => {
    await useWasmBackend();
    w = tf.variable(tf.ones([64, 64]));
    params = new Map([["w", w]]);
  });
  const dir = mkdtempSync(join(tmpdir(), "repotune-budget-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  let calls = 0;
  // A micro-batch that takes about 50 ms, whatever the machine.
  const lossFn = () => {
    calls++;
    const until = Date.now() + 50;
    while (Date.now() < until);
    return tf.sum(tf.square(w)) as tf.Scalar;
  };
  const data = { size: 4, batch: () => ({ tokens: 256 }) };

  it("cuts the steps to what fits, counting gradient accumulation, at least one", () => {
    const fit = fitStepsToBudget(params, data, lossFn, { steps: 1000, batchSize: 1, gradientAccumulation: 4, budgetSec: 2, seed: 1 });
    assert.ok(fit.stepSec >= 0.2 && fit.stepSec < 2, `a step of 4 micro-batches of ~50 ms: ${fit.stepSec} s`);
    assert.ok(fit.steps >= 1 && fit.steps <= 10, `${fit.steps} steps in 2 s`);
    assert.equal(fitStepsToBudget(params, data, lossFn, { steps: 1000, batchSize: 1, budgetSec: 0.001, seed: 1 }).steps, 1);
    assert.equal(fitStepsToBudget(params, data, lossFn, { steps: 3, batchSize: 1, budgetSec: 3600, seed: 1 }).steps, 3, "never more than the preset's");
  });

  it("keeps its fit next to the checkpoints: a resumed stage reuses it without timing", () => {
    const first = fitStepsToBudget(params, data, lossFn, { steps: 1000, batchSize: 1, budgetSec: 1, seed: 1, checkpointDir: dir });
    assert.equal(JSON.parse(readFileSync(join(dir, "budget.json"), "utf8")).steps, first.steps);
    const before = calls;
    const again = fitStepsToBudget(params, data, lossFn, { steps: 1000, batchSize: 1, budgetSec: 1, seed: 1, checkpointDir: dir });
    assert.equal(again.steps, first.steps);
    assert.equal(again.reused, true);
    assert.equal(calls, before, "nothing was timed");
    assert.equal(fitStepsToBudget(params, data, lossFn, { steps: 1000, batchSize: 1, budgetSec: 1, seed: 1, checkpointDir: dir, resume: false }).reused, false, "a fresh stage times again");
  });
});
