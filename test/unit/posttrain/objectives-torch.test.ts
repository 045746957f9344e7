// Every post-training loss, its gradient and its logged metrics against an independent
// PyTorch implementation (test/reference/posttrain_objectives.py, float64), on cpu and wasm.
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import {
  denseTeacher,
  disposeTeacher,
  distillLoss,
  dpoLoss,
  dpoMetrics,
  maskedCrossEntropy,
  rewardLoss,
  sequenceLogProbs,
  type DpoLossType,
} from "../../../src/engine/objectives";
import { assertAllClose, assertClose, randn, runReference, seeded, torchAvailable, useBackend } from "./helpers";
import { topKLogProbs } from "../../../src/core/math/top-k";

const rand = seeded(1234);
const N = 6;
const V = 11;
const K = 4;
const logits = randn(rand, N * V, 2);
const targets = Array.from({ length: N }, () => Math.floor(rand() * V));
const mask = [1, 1, 0, 1, 0, 1];
const seqLogits = randn(rand, 2 * 3 * V, 2);
const seqTargets = [3, 1, 7, 0, 10, 5];
const seqMask = [0, 1, 1, 1, 1, 0];
const pairs = { policyChosen: [-5.1, -9.3, -2.2, -7.0], policyRejected: [-6.0, -8.1, -2.2, -12.5], refChosen: [-5.5, -9.0, -2.0, -8.0], refRejected: [-5.7, -8.8, -2.4, -11.0] };
const dpoCases: { lossType: DpoLossType; beta: number; labelSmoothing: number }[] = [
  { lossType: "sigmoid", beta: 0.1, labelSmoothing: 0 },
  { lossType: "sigmoid", beta: 0.5, labelSmoothing: 0.2 },
  { lossType: "ipo", beta: 0.1, labelSmoothing: 0 },
  { lossType: "hinge", beta: 0.3, labelSmoothing: 0 },
];
const teacherLogits = randn(rand, N * V, 2);
const rewards = { chosen: [0.3, -1.2, 2.0, 0.0], rejected: [0.1, 0.4, -1.0, 0.0] };

interface Ref {
  ce: { loss: number; grad: number[] };
  seq: { sum: number[]; count: number[] };
  dpo: { loss: number; gradChosen: number[]; gradRejected: number[]; metrics: Record<string, number> }[];
  reward: { loss: number; gradChosen: number[]; gradRejected: number[] };
  distill: { loss: number; kl: number; ce: number; grad: number[]; topIds: number[]; topLogProbs: number[] };
}

function reference(): Ref {
  const out = runReference<unknown[]>("posttrain_objectives.py", [
    { kind: "crossEntropy", logits: chunk(logits, V), targets, mask },
    { kind: "sequenceLogps", logits: chunk(chunk(seqLogits, V), 3), targets: chunk(seqTargets, 3), mask: chunk(seqMask, 3) },
    ...dpoCases.map((c) => ({ kind: "dpo", ...pairs, ...c })),
    { kind: "reward", ...rewards },
    { kind: "distill", studentLogits: chunk(logits, V), teacherLogits: chunk(teacherLogits, V), targets, mask, k: K, temperature: 2, alpha: 0.5 },
  ]);
  return {
    ce: out[0] as Ref["ce"],
    seq: out[1] as Ref["seq"],
    dpo: out.slice(2, 2 + dpoCases.length) as Ref["dpo"],
    reward: out[2 + dpoCases.length] as Ref["reward"],
    distill: out[3 + dpoCases.length] as Ref["distill"],
  };
}

function chunk<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

const TOL = { abs: 2e-6, rel: 2e-5 };

for (const backend of ["cpu", "wasm"] as const) {
  describe(`post-training objectives vs PyTorch (${backend})`, { skip: torchAvailable() ? false : "no PyTorch at /usr/bin/python3 (apt-get install python3-torch)" }, () => {
    let ref: Ref;
    before(async () => {
      ref = reference();
      if (!(await useBackend(backend))) throw new Error(`backend ${backend} did not load`);
    });

    it("masked cross-entropy: loss and gradient", () => {
      const x = tf.tensor2d(logits, [N, V]);
      const y = tf.tensor1d(targets, "int32");
      const m = tf.tensor1d(mask);
      const value = maskedCrossEntropy(x, y, m).loss;
      const g = tf.grad((l: tf.Tensor) => maskedCrossEntropy(l as tf.Tensor2D, y, m).loss)(x);
      assertClose(value.dataSync()[0]!, ref.ce.loss, TOL, "loss");
      assertAllClose(g.dataSync(), ref.ce.grad, TOL, "grad");
      tf.dispose([x, y, m, value, g]);
    });

    it("sequence log-probs: sums and counts of the completion tokens", () => {
      const out = sequenceLogProbs(tf.tensor3d(seqLogits, [2, 3, V]), tf.tensor2d(seqTargets, [2, 3], "int32"), tf.tensor2d(seqMask, [2, 3]));
      assertAllClose(out.sum.dataSync(), ref.seq.sum, TOL, "sum");
      assertAllClose(out.count.dataSync(), ref.seq.count, TOL, "count");
    });

    dpoCases.forEach((c, i) => {
      it(`DPO ${c.lossType} (beta ${c.beta}, label smoothing ${c.labelSmoothing}): loss, gradients, TRL metrics`, () => {
        const rc = tf.tensor1d(pairs.refChosen);
        const rr = tf.tensor1d(pairs.refRejected);
        const pc = tf.tensor1d(pairs.policyChosen);
        const pr = tf.tensor1d(pairs.policyRejected);
        const [gc, gr] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          dpoLoss({ policyChosen: a as tf.Tensor1D, policyRejected: b as tf.Tensor1D, refChosen: rc, refRejected: rr }, c).loss,
        )([pc, pr]);
        const inputs = { policyChosen: pc, policyRejected: pr, refChosen: rc, refRejected: rr };
        const out = dpoLoss(inputs, c);
        const r = ref.dpo[i]!;
        assertClose(out.loss.dataSync()[0]!, r.loss, TOL, "loss");
        assertAllClose(gc!.dataSync(), r.gradChosen, TOL, "d loss / d log pi(chosen)");
        assertAllClose(gr!.dataSync(), r.gradRejected, TOL, "d loss / d log pi(rejected)");
        const metrics = dpoMetrics(inputs, out);
        for (const [name, expected] of Object.entries(r.metrics)) {
          assertClose(metrics[name as keyof typeof metrics], expected, TOL, name);
        }
      });
    });

    it("reward model: -log sigmoid(r_chosen - r_rejected) and its gradients", () => {
      const c = tf.tensor1d(rewards.chosen);
      const r = tf.tensor1d(rewards.rejected);
      const [gc, gr] = tf.grads((a: tf.Tensor, b: tf.Tensor) => rewardLoss(a as tf.Tensor1D, b as tf.Tensor1D).loss)([c, r]);
      assertClose(rewardLoss(c, r).loss.dataSync()[0]!, ref.reward.loss, TOL, "loss");
      assertAllClose(gc!.dataSync(), ref.reward.gradChosen, TOL, "d/d chosen");
      assertAllClose(gr!.dataSync(), ref.reward.gradRejected, TOL, "d/d rejected");
    });

    it("distillation over top-k renormalised teacher targets: loss, KL, CE, gradient", () => {
      const ids: number[] = [];
      const lps: number[] = [];
      for (let p = 0; p < N; p++) {
        const top = topKLogProbs(teacherLogits.slice(p * V, (p + 1) * V), K);
        ids.push(...top.ids);
        lps.push(...top.logProbs);
      }
      // The top-k picked here is the one PyTorch's topk picked (no ties in random data).
      assertAllClose(ids, ref.distill.topIds, { abs: 0 }, "top-k ids");
      assertAllClose(lps, ref.distill.topLogProbs, { abs: 1e-5 }, "top-k log-probs");
      const teacher = denseTeacher({ positions: N, k: K, ids, logProbs: lps }, V, 2);
      const y = tf.tensor1d(targets, "int32");
      const m = tf.tensor1d(mask);
      const x = tf.tensor2d(logits, [N, V]);
      const out = distillLoss(x, teacher, y, m, { temperature: 2, alpha: 0.5 });
      const g = tf.grad((l: tf.Tensor) => distillLoss(l as tf.Tensor2D, teacher, y, m).loss)(x);
      assertClose(out.loss.dataSync()[0]!, ref.distill.loss, TOL, "loss");
      assertClose(out.kl.dataSync()[0]!, ref.distill.kl, TOL, "kl");
      assertClose(out.ce.dataSync()[0]!, ref.distill.ce, TOL, "ce");
      assertAllClose(g.dataSync(), ref.distill.grad, TOL, "grad");
      disposeTeacher(teacher);
    });
  });
}
