import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { EpochSampler, Trainer, type StepEvent } from "../../../../src/engine/train";
import { makeData, makeParams, mlpLoss, snapshot, type MlpBatch } from "../helpers/tiny-mlp";
import { useWasmBackend } from "../helpers/wasm-backend";

const base = { totalSteps: 8, microBatchSize: 4, peakLr: 0.05, warmupSteps: 2, seed: 11 };

async function runLosses(options: Partial<typeof base> & { dropout?: number; gradientAccumulationSteps?: number } = {}): Promise<number[]> {
  const params = makeParams();
  const trainer = new Trainer<MlpBatch>(params, makeData(20), mlpLoss(params, options.dropout ?? 0.2), { ...base, ...options });
  const losses: number[] = [];
  await trainer.run({ onStep: (e) => void losses.push(e.loss) });
  trainer.dispose();
  tf.dispose([...params.values()]);
  return losses;
}

function maxAbsDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let d = 0;
  for (const [n, x] of a) x.forEach((v, i) => (d = Math.max(d, Math.abs(v - ((b.get(n) as Float32Array)[i] as number)))));
  return d;
}

describe("EpochSampler", () => {
  it("visits every example once per epoch, in a new seeded order each epoch, and resumes from a position", () => {
    const s = new EpochSampler(10, 3, 5);
    const epoch0 = [...s.next(), ...s.next(), ...s.next()];
    assert.equal(s.position.offset, 9);
    const epoch1 = [...s.next(), ...s.next(), ...s.next()];
    assert.deepEqual(s.position, { epoch: 1, offset: 9 });
    assert.equal(new Set(epoch0).size, 9);
    assert.equal(new Set(epoch1).size, 9);
    assert.notDeepEqual(epoch0, epoch1);
    const again = new EpochSampler(10, 3, 5);
    again.position = { epoch: 1, offset: 3 };
    assert.deepEqual(again.next(), epoch1.slice(3, 6));
    assert.notDeepEqual(new EpochSampler(10, 3, 6).next(), epoch0.slice(0, 3));
    assert.equal(new EpochSampler(2, 8, 1).batchSize, 2);
  });
});

describe("Trainer", () => {
  before(useWasmBackend);

  it("is deterministic for a seed (data order and dropout), and the seed matters", async () => {
    const a = await runLosses();
    const b = await runLosses();
    assert.deepEqual(a, b);
    const c = await runLosses({ seed: 12 });
    assert.notDeepEqual(a, c);
    // Loss falls on this learnable task.
    const long = await runLosses({ totalSteps: 40 });
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    assert.ok(mean(long.slice(-8)) < 0.7 * mean(long.slice(0, 8)), `losses ${long.join(", ")}`);
  });

  it("accumulating 2 micro-batches of 2 equals one batch of 4, masks weighing in by item count", async () => {
    const after = async (microBatchSize: number, gradientAccumulationSteps: number) => {
      const params = makeParams();
      // No dropout: the two layouts would draw different masks. Example 1 of the data is masked,
      // so the micro-batches hold unequal item counts.
      const t = new Trainer<MlpBatch>(params, makeData(8, (i) => i === 1), mlpLoss(params, 0), {
        ...base, microBatchSize, gradientAccumulationSteps, shuffle: false, totalSteps: 2,
      });
      const event = await t.trainStep();
      const weights = await snapshot(params);
      t.dispose();
      tf.dispose([...params.values()]);
      return { event, weights };
    };
    const one = await after(4, 1);
    const two = await after(2, 2);
    assert.equal(one.event.items, 3);
    assert.equal(two.event.items, 3);
    assert.ok(Math.abs(one.event.loss - two.event.loss) < 1e-6, `${one.event.loss} vs ${two.event.loss}`);
    assert.ok(Math.abs(one.event.gradNorm - two.event.gradNorm) < 1e-5);
    assert.ok(maxAbsDiff(one.weights, two.weights) < 1e-6);
  });

  it("reports the loss and the global gradient norm of the step, computed independently", async () => {
    const params = makeParams();
    const data = makeData(8);
    const loss = mlpLoss(params, 0);
    // The expected values, with tf.variableGrads directly, before the trainer touches anything.
    const batch = data.batch([0, 1, 2, 3]);
    const { value, grads } = tf.variableGrads(() => loss(batch, { step: 0, micro: 0, seed: 0 }).loss, [...params.values()]);
    const expectedLoss = value.dataSync()[0] as number;
    let sq = 0;
    for (const g of Object.values(grads)) for (const x of g.dataSync()) sq += x * x;
    tf.dispose([value, ...Object.values(grads)]);
    const t = new Trainer<MlpBatch>(params, data, loss, { ...base, shuffle: false, maxGradNorm: 0.01 });
    const e = await t.trainStep();
    assert.ok(Math.abs(e.loss - expectedLoss) < 1e-6);
    assert.ok(Math.abs(e.gradNorm - Math.sqrt(sq)) < 1e-5 * Math.sqrt(sq), `${e.gradNorm} vs ${Math.sqrt(sq)}`);
    assert.ok(e.gradNorm > 0.01, "the test needs the clip to bite");
    assert.equal(e.lr, base.peakLr / 3);
    t.dispose();
    tf.dispose([...params.values()]);
  });

  it("ignores masked examples: changing their labels changes nothing", async () => {
    const run = async (flip: boolean) => {
      const params = makeParams();
      const data = makeData(8);
      const inner = data.batch.bind(data);
      data.batch = (idx) => {
        const b = inner(idx);
        if (flip) b.labels = b.labels.map((l, r) => ((b.mask[r] as number) === 0 ? (l + 1) % 4 : l));
        return b;
      };
      const t = new Trainer<MlpBatch>(params, data, mlpLoss(params, 0), { ...base, totalSteps: 3 });
      await t.run();
      const w = await snapshot(params);
      t.dispose();
      tf.dispose([...params.values()]);
      return w;
    };
    assert.equal(maxAbsDiff(await run(false), await run(true)), 0);
  });

  it("keeps tf.memory().numTensors flat across steps", async () => {
    const params = makeParams();
    const t = new Trainer<MlpBatch>(params, makeData(20), mlpLoss(params, 0.2), { ...base, totalSteps: 12, gradientAccumulationSteps: 2 });
    await t.trainStep();
    const counts: number[] = [];
    await t.run({ onStep: () => void counts.push(tf.memory().numTensors) });
    assert.equal(counts.length, 11);
    assert.deepEqual(new Set(counts).size, 1, `tensor counts ${counts.join(", ")}`);
    t.dispose();
    tf.dispose([...params.values()]);
  });

  it("reports each step (lr from the schedule, tokens/s, ETA) and stops at a step boundary when cancelled", async () => {
    const params = makeParams();
    const t = new Trainer<MlpBatch>(params, makeData(20), mlpLoss(params), base);
    const controller = new AbortController();
    const events: StepEvent[] = [];
    const result = await t.run({
      signal: controller.signal,
      onStep: (e) => {
        events.push(e);
        if (e.step === 3) controller.abort();
      },
    });
    assert.deepEqual(result, { status: "cancelled", step: 3 });
    assert.deepEqual(events.map((e) => e.step), [1, 2, 3]);
    assert.deepEqual(events.map((e) => e.lr), [0.05 / 3, (2 * 0.05) / 3, 0.05]);
    for (const e of events) {
      assert.equal(e.totalSteps, 8);
      assert.equal(e.tokens, 4);
      assert.ok(e.tokensPerSec > 0 && Number.isFinite(e.tokensPerSec));
      assert.ok(e.etaSec >= 0);
      assert.equal(e.skipped, false);
    }
    assert.equal(events[2]?.epoch, 12 / 20);
    assert.deepEqual(await t.run({ untilStep: 5 }), { status: "completed", step: 5 });
    t.dispose();
    tf.dispose([...params.values()]);
  });

  it("skips a step whose loss is not finite, leaving the weights alone", async () => {
    const params = makeParams();
    const loss = mlpLoss(params, 0);
    let poison = true;
    const t = new Trainer<MlpBatch>(params, makeData(8), (b, ctx) => {
      const out = loss(b, ctx);
      return poison ? { ...out, loss: tf.mul(out.loss, NaN) as tf.Scalar } : out;
    }, base);
    const before = await snapshot(params);
    const e = await t.trainStep();
    assert.equal(e.skipped, true);
    assert.equal(maxAbsDiff(before, await snapshot(params)), 0);
    poison = false;
    assert.equal((await t.trainStep()).skipped, false);
    assert.ok(maxAbsDiff(before, await snapshot(params)) > 0);
    assert.equal(t.exportState().skipped_steps, 1);
    assert.equal(t.optimizer.step, 1);
    t.dispose();
    tf.dispose([...params.values()]);
  });
  it("leaves frozen variables alone, keeps the best metric, and refuses an optimizer state from another step", async () => {
    const params = makeParams();
    const frozen = params.get("model.norm.weight") as tf.Variable;
    frozen.trainable = false;
    const before = await snapshot(params);
    const t = new Trainer<MlpBatch>(params, makeData(20), mlpLoss(params, 0), { ...base, metricForBest: "eval/loss" });
    await t.run({ untilStep: 2 });
    const after = await snapshot(params);
    assert.deepEqual(after.get("model.norm.weight"), before.get("model.norm.weight"));
    assert.notDeepEqual(after.get("lm_head.weight"), before.get("lm_head.weight"));
    assert.equal(t.recordMetric("eval/loss", 2.5), true);
    assert.equal(t.recordMetric("eval/other", 1), false);
    await t.trainStep();
    assert.equal(t.recordMetric("eval/loss", 2.7), false);
    assert.equal(t.recordMetric("eval/loss", 2.1), true);
    const state = t.exportState();
    assert.equal(state.best_metric, 2.1);
    assert.equal(state.best_step, 3);
    const fresh = new Trainer<MlpBatch>(params, makeData(20), mlpLoss(params, 0), { ...base, metricForBest: "eval/loss" });
    assert.throws(() => fresh.restoreState(state), /optimizer state has taken 0 steps but the trainer state 3/);
    t.dispose();
    fresh.dispose();
    tf.dispose([...params.values()]);
  });
});
