// Losses on inputs small enough to work out by hand (the arithmetic is in the comments).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { denseTeacher, distillLoss, dpoLoss, maskedCrossEntropy, rewardLoss } from "../../../src/engine/objectives";
import { topKLogProbs } from "../../../src/core/math/top-k";
import { assertClose, useBackend } from "./helpers";

const TOL = { abs: 1e-6 };
const first = (t: tf.Tensor): number => t.dataSync()[0]!;

describe("objectives by hand", () => {
  before(async () => {
    assert.ok(await useBackend("cpu"));
  });

  it("cross-entropy: logits [0, ln 3] and target 1 give -ln(3/4)", () => {
    const out = maskedCrossEntropy(tf.tensor2d([[0, Math.log(3)], [5, -5]]), tf.tensor1d([1, 0], "int32"), tf.tensor1d([1, 0]));
    assertClose(first(out.loss), 0.2876820724517809, TOL, "loss"); // -ln 0.75
    assert.equal(first(out.tokens), 1);
  });

  it("cross-entropy with nothing masked in is 0, not NaN", () => {
    const out = maskedCrossEntropy(tf.tensor2d([[1, 2]]), tf.tensor1d([0], "int32"), tf.tensor1d([0]));
    assert.equal(first(out.loss), 0);
  });

  // One pair: log pi(c) = -1, log pi(r) = -3, log ref(c) = log ref(r) = -2, so h = 2.
  const pair = () => ({
    policyChosen: tf.tensor1d([-1]),
    policyRejected: tf.tensor1d([-3]),
    refChosen: tf.tensor1d([-2]),
    refRejected: tf.tensor1d([-2]),
  });

  it("DPO sigmoid, beta 0.1: -log sigmoid(0.2) = ln(1 + e^-0.2)", () => {
    const out = dpoLoss(pair());
    assertClose(first(out.loss), 0.5981388693815918, TOL, "loss");
    assertClose(first(out.chosenRewards), 0.1, TOL, "rewards/chosen"); // 0.1 * (-1 - -2)
    assertClose(first(out.rejectedRewards), -0.1, TOL, "rewards/rejected"); // 0.1 * (-3 - -2)
  });

  it("DPO sigmoid with label smoothing 0.1: 0.9 ln(1 + e^-0.2) + 0.1 ln(1 + e^0.2)", () => {
    // 0.9 * 0.5981388694 + 0.1 * 0.7981388694
    assertClose(first(dpoLoss(pair(), { labelSmoothing: 0.1 }).loss), 0.6181388693815918, TOL, "loss");
  });

  it("DPO ipo, beta 0.1: (2 - 1/0.2)^2 = 9", () => {
    assertClose(first(dpoLoss(pair(), { lossType: "ipo" }).loss), 9, { abs: 1e-5 }, "loss");
  });

  it("DPO hinge, beta 0.1: relu(1 - 0.2) = 0.8; beta 1: relu(1 - 2) = 0", () => {
    assertClose(first(dpoLoss(pair(), { lossType: "hinge" }).loss), 0.8, TOL, "loss");
    assertClose(first(dpoLoss(pair(), { lossType: "hinge", beta: 1 }).loss), 0, TOL, "loss");
  });

  it("DPO refuses options that TRL refuses", () => {
    assert.throws(() => dpoLoss(pair(), { beta: 0 }), /beta/);
    assert.throws(() => dpoLoss(pair(), { lossType: "ipo", labelSmoothing: 0.1 }), /label smoothing/);
  });

  it("reward: -log sigmoid(1 - 0) = ln(1 + e^-1); accuracy counts strict wins", () => {
    const out = rewardLoss(tf.tensor1d([1, 2]), tf.tensor1d([0, 2]));
    // mean(ln(1 + e^-1), ln 2) = (0.3132616875 + 0.6931471806) / 2
    assertClose(first(out.loss), 0.503204434, { abs: 1e-6 }, "loss");
    assertClose(first(out.accuracy), 0.5, TOL, "accuracy");
  });

  it("reward and DPO with pair weights: sum(w * loss) / sum(w); weights of 1 change nothing; weight 0 takes a pair out", () => {
    const l1 = 0.3132616875; // ln(1 + e^-1)
    const l2 = 0.6931471806; // ln 2
    const weighted = rewardLoss(tf.tensor1d([1, 2]), tf.tensor1d([0, 2]), tf.tensor1d([0.25, 1]));
    assertClose(first(weighted.loss), (0.25 * l1 + l2) / 1.25, { abs: 1e-6 }, "weighted loss");
    const ones = rewardLoss(tf.tensor1d([1, 2]), tf.tensor1d([0, 2]), tf.tensor1d([1, 1]));
    assertClose(first(ones.loss), (l1 + l2) / 2, { abs: 1e-6 }, "weights of 1");
    const out = rewardLoss(tf.tensor1d([1, 2]), tf.tensor1d([0, 2]), tf.tensor1d([0, 1]));
    assertClose(first(out.loss), l2, { abs: 1e-6 }, "weight 0");
    // The gradient of a weight-0 pair is exactly 0, so it cannot move the model.
    const g = tf.grad((c: tf.Tensor) => rewardLoss(c as tf.Tensor1D, tf.tensor1d([0, 2]), tf.tensor1d([0, 1])).loss)(tf.tensor1d([1, 2]));
    assert.equal(Math.abs(g.dataSync()[0]!), 0);
    assert.ok(g.dataSync()[1]! < 0);
    const dpo = dpoLoss({ ...pair(), weights: tf.tensor1d([0.5]) });
    assertClose(first(dpo.loss), Math.log(1 + Math.exp(-0.2)), TOL, "one weighted pair: its own loss");
  });

  it("distillation, T = 1, alpha = 1, k = V: KL((1/4, 3/4) || (1/2, 1/2)) = 1/4 ln(1/2) + 3/4 ln(3/2)", () => {
    const top = topKLogProbs([0, Math.log(3)], 2);
    assert.deepEqual(Array.from(top.ids), [1, 0]);
    const teacher = denseTeacher({ positions: 1, k: 2, ids: top.ids, logProbs: top.logProbs }, 2, 1);
    const out = distillLoss(tf.tensor2d([[0, 0]]), teacher, tf.tensor1d([1], "int32"), tf.tensor1d([1]), { temperature: 1, alpha: 1 });
    assertClose(first(out.kl), 0.1308120295, TOL, "kl");
    assertClose(first(out.loss), 0.1308120295, TOL, "loss");
  });

  it("distillation, T = 2: the teacher is flattened to p^(1/2) renormalised, and scaled by T^2", () => {
    // Teacher p = (1/4, 3/4) at T = 1 -> at T = 2: (1, sqrt 3) / (1 + sqrt 3) = (0.3660254, 0.6339746).
    // Student logits (0, 0) at T = 2 -> (1/2, 1/2).  KL = 0.3660254 ln(0.7320508) + 0.6339746 ln(1.2679492) = 0.0363408
    // alpha 0.5: 0.5 * 4 * 0.0363557 + 0.5 * CE, CE = ln 2 (target 1 under uniform logits) -> 0.0726816 + 0.3465736 = 0.4192552
    const top = topKLogProbs([0, Math.log(3)], 2);
    const teacher = denseTeacher({ positions: 1, k: 2, ids: top.ids, logProbs: top.logProbs }, 2, 2);
    const out = distillLoss(tf.tensor2d([[0, 0]]), teacher, tf.tensor1d([1], "int32"), tf.tensor1d([1]));
    assertClose(first(out.kl), 0.0363408, { abs: 1e-6 }, "kl");
    assertClose(first(out.loss), 0.4192552, { abs: 1e-6 }, "loss");
  });

  it("top-k keeps the k largest logits, likeliest first, ties to the lower id, as log-probs", () => {
    const logits = [1, 3, 3, 0, 2];
    const top = topKLogProbs(logits, 3);
    assert.deepEqual(Array.from(top.ids), [1, 2, 4]);
    const logZ = Math.log(logits.reduce((a, x) => a + Math.exp(x), 0));
    assertClose(top.logProbs[2]!, 2 - logZ, { abs: 1e-6 }, "log-prob of id 4");
  });
});
