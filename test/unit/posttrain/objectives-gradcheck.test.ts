// Finite-difference gradient checks of every objective through a tiny model, and the
// identities the issue names: DPO with chosen == rejected gives log 2 and zero gradient;
// distillation with the student equal to the teacher gives KL 0.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import {
  denseTeacher,
  distillLoss,
  dpoLoss,
  maskedCrossEntropy,
  rewardLoss,
  sequenceLogProbs,
  type DpoOptions,
} from "../../../src/engine/objectives";
import { assertClose, useBackend } from "./helpers";
import { checkGradients, tinyModel, type TinyModel } from "./tiny-model";
import { topKLogProbs } from "../../../src/core/math/top-k";

// Two sequences of 5 tokens; inputs are tokens[:, :-1], targets tokens[:, 1:].
const chosen = [
  [1, 4, 2, 6, 3],
  [5, 0, 3, 3, 1],
];
const rejected = [
  [1, 4, 5, 0, 2],
  [5, 0, 6, 2, 4],
];
const promptMask = [
  [0, 1, 1, 1],
  [0, 0, 1, 1],
];

const inputs = (seqs: number[][]) => seqs.map((s) => s.slice(0, -1));
const targets = (seqs: number[][]) => tf.tensor2d(seqs.map((s) => s.slice(1)), undefined, "int32");

function policyLogps(m: TinyModel, seqs: number[][]): tf.Tensor1D {
  return sequenceLogProbs(m.logits(inputs(seqs)), targets(seqs), tf.tensor2d(promptMask)).sum;
}

describe("objectives: finite-difference gradient checks on a tiny model", () => {
  let model: TinyModel;
  let ref: { c: tf.Tensor1D; r: tf.Tensor1D };
  before(async () => {
    assert.ok(await useBackend("cpu"));
    model = tinyModel(7);
    // A frozen reference a little away from the policy, so DPO's h is not zero.
    const other = tinyModel(8);
    ref = { c: tf.keep(policyLogps(other, chosen)), r: tf.keep(policyLogps(other, rejected)) };
    other.dispose();
  });

  const expectGood = (name: string, loss: () => tf.Scalar) => {
    const res = checkGradients(model, loss);
    assert.deepEqual(res.failures, [], `${name}: gradient mismatches`);
    assert.ok(res.maxAbsGrad > 1e-3, `${name}: gradient is trivially zero (max |g| ${res.maxAbsGrad})`);
    assert.ok(res.checked >= 20);
  };

  it("pretraining cross-entropy (all tokens)", () => {
    expectGood("lm", () => {
      const l = model.logits(inputs(chosen));
      return maskedCrossEntropy(l, targets(chosen), tf.onesLike(targets(chosen))).loss;
    });
  });

  it("SFT cross-entropy (prompt masked)", () => {
    expectGood("sft", () => maskedCrossEntropy(model.logits(inputs(chosen)), targets(chosen), tf.tensor2d(promptMask)).loss);
  });

  const variants: Partial<DpoOptions>[] = [
    { lossType: "sigmoid" },
    { lossType: "sigmoid", labelSmoothing: 0.1, beta: 0.5 },
    { lossType: "ipo" },
    { lossType: "hinge", beta: 0.05 },
  ];
  for (const v of variants) {
    it(`DPO ${v.lossType}${v.labelSmoothing ? " with label smoothing" : ""}`, () => {
      expectGood(`dpo ${v.lossType}`, () =>
        dpoLoss({ policyChosen: policyLogps(model, chosen), policyRejected: policyLogps(model, rejected), refChosen: ref.c, refRejected: ref.r }, v).loss,
      );
    });
  }

  it("reward model pairwise loss", () => {
    expectGood("reward", () => rewardLoss(model.reward(chosen), model.reward(rejected)).loss);
  });

  it("distillation (T = 2, alpha = 0.5, top-4 of 7)", () => {
    const teacher = tinyModel(9);
    const tl = teacher.logits(inputs(chosen));
    const rows = tl.shape[0] * tl.shape[1];
    const flat = tf.reshape(tl, [rows, model.vocab]).arraySync() as number[][];
    const ids: number[] = [];
    const lps: number[] = [];
    for (const row of flat) {
      const top = topKLogProbs(row, 4);
      ids.push(...top.ids);
      lps.push(...top.logProbs);
    }
    const dense = denseTeacher({ positions: rows, k: 4, ids, logProbs: lps }, model.vocab, 2);
    const y = tf.reshape(targets(chosen), [rows]);
    const mask = tf.reshape(tf.tensor2d(promptMask), [rows]);
    expectGood("distill", () => distillLoss(tf.reshape(model.logits(inputs(chosen)), [rows, model.vocab]) as tf.Tensor2D, dense, y, mask).loss);
    teacher.dispose();
  });
});

describe("objectives: identities", () => {
  before(async () => {
    assert.ok(await useBackend("cpu"));
  });

  for (const lossType of ["sigmoid", "ipo", "hinge"] as const) {
    it(`DPO ${lossType} with chosen == rejected: the constant loss and a zero gradient`, () => {
      const m = tinyModel(11);
      const refM = tinyModel(12);
      const rc = policyLogps(refM, chosen);
      const rr = policyLogps(refM, chosen);
      const beta = 0.1;
      const { value, grads } = tf.variableGrads(
        () => dpoLoss({ policyChosen: policyLogps(m, chosen), policyRejected: policyLogps(m, chosen), refChosen: rc, refRejected: rr }, { lossType, beta }).loss,
        m.params,
      );
      // h = 0: sigmoid -> -log sigmoid(0) = log 2; ipo -> (1 / (2 beta))^2 = 25; hinge -> relu(1) = 1.
      const expected = { sigmoid: Math.LN2, ipo: 25, hinge: 1 }[lossType];
      assertClose(value.dataSync()[0]!, expected, { rel: 1e-6 }, "loss");
      // Zero up to float32 rounding: +g and -g reach each parameter by different paths and
      // are summed in a different order. A non-degenerate pair gives gradients near 0.1.
      for (const [name, g] of Object.entries(grads)) {
        const maxAbs = Math.max(...Array.from(g.dataSync(), Math.abs));
        assert.ok(maxAbs < 1e-6, `gradient of ${name} is not zero (max |g| ${maxAbs})`);
      }
      m.dispose();
      refM.dispose();
    });
  }

  it("distillation with the student equal to the teacher: KL 0 and a zero KL gradient", () => {
    const m = tinyModel(13);
    const l = m.logits(inputs(chosen));
    const rows = l.shape[0] * l.shape[1];
    const flat = tf.reshape(l, [rows, m.vocab]).arraySync() as number[][];
    const ids: number[] = [];
    const lps: number[] = [];
    for (const row of flat) {
      const top = topKLogProbs(row, 3);
      ids.push(...top.ids);
      lps.push(...top.logProbs);
    }
    const dense = denseTeacher({ positions: rows, k: 3, ids, logProbs: lps }, m.vocab, 2);
    const y = tf.reshape(targets(chosen), [rows]);
    const mask = tf.onesLike(y);
    // alpha = 1: the loss is T^2 KL alone, so its gradient is the KL's.
    const { value, grads } = tf.variableGrads(
      () => distillLoss(tf.reshape(m.logits(inputs(chosen)), [rows, m.vocab]) as tf.Tensor2D, dense, y, mask, { alpha: 1 }).loss,
      m.params,
    );
    assert.ok(Math.abs(value.dataSync()[0]!) < 1e-6, `KL is ${value.dataSync()[0]}`);
    for (const [name, g] of Object.entries(grads)) {
      const maxAbs = Math.max(...Array.from(g.dataSync(), Math.abs));
      assert.ok(maxAbs < 1e-6, `KL gradient of ${name} is ${maxAbs}`);
    }
    // And it is not zero for a different student: the check above can fail.
    const other = tinyModel(14);
    const kl = distillLoss(tf.reshape(other.logits(inputs(chosen)), [rows, m.vocab]) as tf.Tensor2D, dense, y, mask).kl.dataSync()[0]!;
    assert.ok(kl > 1e-3, `KL against another model is ${kl}`);
    m.dispose();
    other.dispose();
  });
});
