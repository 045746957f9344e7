// RLOO (src/engine/objectives/rloo.ts): loss, gradient through the masked completion log-probs,
// advantages, KL and TRL's metrics against PyTorch (test/reference/posttrain_objectives.py,
// float64) on cpu and wasm; then the properties any RLOO must have, on random inputs.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { rlooLoss, rlooMetrics, sequenceLogProbs, type RlooInputs } from "../../../src/engine/objectives";
import { assertAllClose, assertClose, randn, runReference, seeded, torchAvailable, useBackend } from "./helpers";

const rand = seeded(4242);
const P = 3; // prompts
const K = 4; // samples per prompt
const B = P * K;
const T = 5;
const V = 9;
const logits = randn(rand, B * T * V, 2);
const targets = Array.from({ length: B * T }, () => Math.floor(rand() * V));
// Prompt positions (0) before the completion and padding (0) after it: only completion tokens count.
const mask = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (t >= 1 && t < 2 + (b % 4) ? 1 : 0))).flat();
const refLogps = Array.from({ length: B }, () => -4 - 6 * rand());
const scores = randn(rand, B, 1);
const cases = [
  { beta: 0.05, lengthPenalty: 0 },
  { beta: 0.3, lengthPenalty: 0.02 },
];

interface Ref {
  loss: number;
  logps: number[];
  grad: number[];
  advantages: number[];
  kl: number[];
  rlhfReward: number[];
  metrics: Record<string, number>;
}

function chunk<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

const TOL = { abs: 2e-6, rel: 2e-5 };

/** Loss of the logits through the masked sequence log-probs, as the trainer will bind it. */
function lossOf(l: tf.Tensor, opts: { beta: number; lengthPenalty: number }) {
  const seq = sequenceLogProbs(l, tf.tensor2d(targets, [B, T], "int32"), tf.tensor2d(mask, [B, T]));
  const inputs: RlooInputs = { policyLogps: seq.sum, refLogps: tf.tensor1d(refLogps), scores: tf.tensor1d(scores), lengths: seq.count };
  return { inputs, out: rlooLoss(inputs, { k: K, ...opts }) };
}

for (const backend of ["cpu", "wasm"] as const) {
  describe(`RLOO vs PyTorch (${backend})`, { skip: torchAvailable() ? false : "no PyTorch at /usr/bin/python3 (apt-get install python3-torch)" }, () => {
    let refs: Ref[];
    before(async () => {
      refs = runReference<Ref[]>(
        "posttrain_objectives.py",
        cases.map((c) => ({ kind: "rloo", logits: chunk(chunk(logits, V), T), targets: chunk(targets, T), mask: chunk(mask, T), refLogps, scores, k: K, ...c })),
      );
      if (!(await useBackend(backend))) throw new Error(`backend ${backend} did not load`);
    });

    cases.forEach((c, i) => {
      it(`beta ${c.beta}, length penalty ${c.lengthPenalty}: loss, d loss / d logits, advantages, KL, TRL metrics`, () => {
        const ref = refs[i]!;
        const x = tf.tensor3d(logits, [B, T, V]);
        const { inputs, out } = lossOf(x, c);
        const g = tf.grad((l: tf.Tensor) => lossOf(l, c).out.loss)(x);
        assertAllClose(inputs.policyLogps.dataSync(), ref.logps, TOL, "log pi");
        assertClose(out.loss.dataSync()[0]!, ref.loss, TOL, "loss");
        assertAllClose(g.dataSync(), ref.grad, TOL, "grad");
        assertAllClose(out.advantages.dataSync(), ref.advantages, TOL, "advantages");
        assertAllClose(out.kl.dataSync(), ref.kl, TOL, "kl");
        assertAllClose(out.rlhfReward.dataSync(), ref.rlhfReward, TOL, "rlhf reward");
        const metrics = rlooMetrics(inputs, out, { k: K, ...c });
        assert.deepEqual(Object.keys(metrics).sort(), Object.keys(ref.metrics).sort());
        for (const [name, expected] of Object.entries(ref.metrics)) assertClose(metrics[name as keyof typeof metrics], expected, TOL, name);
        let maxDiff = 0;
        const gd = g.dataSync();
        for (let j = 0; j < gd.length; j++) maxDiff = Math.max(maxDiff, Math.abs(gd[j]! - ref.grad[j]!));
        console.log(`# rloo ${backend} beta ${c.beta}: |loss - torch| ${Math.abs(out.loss.dataSync()[0]! - ref.loss).toExponential(2)}, max |grad - torch| ${maxDiff.toExponential(2)}`);
      });
    });
  });
}

describe("RLOO properties (cpu, random inputs)", () => {
  before(async () => {
    assert.ok(await useBackend("cpu"));
  });
  const r = seeded(99);

  it("equal rewards give zero advantages, zero loss and zero gradient", () => {
    for (let trial = 0; trial < 20; trial++) {
      const k = 2 + Math.floor(r() * 4);
      const b = k * (1 + Math.floor(r() * 3));
      const lp = tf.tensor1d(randn(r, b, 3));
      // Policy = reference, so the KL term is zero too and the score is all there is.
      const inputs = () => ({ policyLogps: lp, refLogps: tf.tensor1d(lp.dataSync()), scores: tf.fill([b], 0.7) as tf.Tensor1D, lengths: tf.fill([b], 3) as tf.Tensor1D });
      const out = rlooLoss(inputs(), { k, beta: 0.1, lengthPenalty: 0.01 });
      assertAllClose(out.advantages.dataSync(), new Array(b).fill(0), { abs: 1e-6 }, "advantages");
      assertClose(out.loss.dataSync()[0]!, 0, { abs: 1e-6 }, "loss");
      const g = tf.grad((x: tf.Tensor) => rlooLoss({ ...inputs(), policyLogps: x as tf.Tensor1D }, { k, beta: 0.1, lengthPenalty: 0.01 }).loss)(lp);
      assertAllClose(g.dataSync(), new Array(b).fill(0), { abs: 1e-6 }, "grad");
    }
  });

  it("KL is zero when the policy is the reference", () => {
    const lp = randn(r, 8, 4);
    const out = rlooLoss({ policyLogps: tf.tensor1d(lp), refLogps: tf.tensor1d(lp), scores: tf.tensor1d(randn(r, 8)), lengths: tf.fill([8], 2) as tf.Tensor1D }, { k: 4, beta: 0.5 });
    assertAllClose(out.kl.dataSync(), new Array(8).fill(0), { abs: 0 }, "kl");
  });

  it("advantages sum to zero within each prompt, and each is k/(k-1) times its distance from the prompt's mean", () => {
    for (let trial = 0; trial < 20; trial++) {
      const k = 2 + Math.floor(r() * 5);
      const p = 1 + Math.floor(r() * 4);
      const b = k * p;
      const inputs = { policyLogps: tf.tensor1d(randn(r, b, 3)), refLogps: tf.tensor1d(randn(r, b, 3)), scores: tf.tensor1d(randn(r, b, 2)), lengths: tf.tensor1d(Array.from({ length: b }, () => Math.floor(r() * 10))) };
      const out = rlooLoss(inputs, { k, beta: r(), lengthPenalty: r() * 0.1 });
      const adv = out.advantages.dataSync();
      const rew = out.rlhfReward.dataSync();
      for (let q = 0; q < p; q++) {
        let s = 0;
        let m = 0;
        for (let j = 0; j < k; j++) m += rew[q * k + j]! / k;
        for (let j = 0; j < k; j++) {
          s += adv[q * k + j]!;
          assertClose(adv[q * k + j]!, (k / (k - 1)) * (rew[q * k + j]! - m), { abs: 1e-4, rel: 1e-4 }, "advantage");
        }
        assertClose(s, 0, { abs: 1e-4 }, `sum of prompt ${q}'s advantages`);
      }
    }
  });

  it("the gradient does not flow through the reward: d loss / d log pi_i = -a_i / B", () => {
    const b = 6;
    const lp = tf.tensor1d(randn(r, b, 3));
    const inputs = (x: tf.Tensor1D) => ({ policyLogps: x, refLogps: tf.tensor1d(randn(seeded(1), b, 3)), scores: tf.tensor1d(randn(seeded(2), b)), lengths: tf.fill([b], 4) as tf.Tensor1D });
    const out = rlooLoss(inputs(lp), { k: 3, beta: 0.2 });
    const g = tf.grad((x: tf.Tensor) => rlooLoss(inputs(x as tf.Tensor1D), { k: 3, beta: 0.2 }).loss)(lp);
    assertAllClose(g.dataSync(), Array.from(out.advantages.dataSync(), (a) => -a / b), { abs: 1e-6 }, "grad");
  });

  it("refuses k < 2, a ragged batch and negative coefficients", () => {
    const x = tf.tensor1d([1, 2, 3, 4]);
    const inputs = { policyLogps: x, refLogps: x, scores: x, lengths: x };
    assert.throws(() => rlooLoss(inputs, { k: 1 }), /k >= 2/);
    assert.throws(() => rlooLoss(inputs, { k: 3 }), /whole number/);
    assert.throws(() => rlooLoss(inputs, { k: 2, beta: -1 }), /beta/);
    assert.throws(() => rlooLoss(inputs, { k: 2, lengthPenalty: -1 }), /length penalty/);
  });
});
