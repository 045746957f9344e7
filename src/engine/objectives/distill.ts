// Knowledge distillation from stored top-k teacher distributions (Hinton et al.):
//   loss = alpha * T^2 * KL(p_teacher_T || p_student_T) + (1 - alpha) * CE(student, truth)
// The teacher pass runs once, before training, and keeps only the k likeliest tokens per
// position. Both distributions are renormalised over that same support, so the KL is between
// two proper distributions: it is 0 exactly when the student matches the teacher, and it never
// rewards the student for mass the teacher's file cannot see. The CE term (full vocabulary)
// keeps the student's mass outside the support in check.
//
// Why dense [N, V] tensors instead of gathering the student's logits at the k ids: gather's
// gradient (UnsortedSegmentSum) is missing on wasm. The student's logits are [N, V] already,
// so three more tensors of that shape do not change the peak by much.
import * as tf from "@tensorflow/tfjs-core";
import { maskedCrossEntropy } from "./cross-entropy";
import { logSoftmax } from "./log-probs";

export interface DistillOptions {
  temperature: number;
  alpha: number;
}

export const DISTILL_DEFAULTS: DistillOptions = { temperature: 2, alpha: 0.5 };

/** Top-k teacher targets for N positions, as stored on disk (see core/formats/teacher-targets). */
export interface TopKRows {
  positions: number;
  k: number;
  /** [N * k] token ids; a negative id marks an unused slot. */
  ids: ArrayLike<number>;
  /** [N * k] teacher log-probs at temperature 1 (normalisation does not matter: renormalised here). */
  logProbs: ArrayLike<number>;
}

/** The teacher side of the loss, constant during training. */
export interface DenseTeacher {
  /** p_teacher_T renormalised over the top-k support, zero elsewhere [N, V]. */
  probs: tf.Tensor2D;
  /** 0 on the support, a large negative number elsewhere [N, V]: restricts the student. */
  supportBias: tf.Tensor2D;
  /** sum p log p per position [N] (the teacher's negative entropy, the constant half of KL). */
  negEntropy: tf.Tensor1D;
}

const OFF_SUPPORT = -1e9;

/**
 * Spreads top-k rows into dense tensors at temperature T. Restricting the temperature-1
 * log-probs to the support and renormalising exp(logp / T) gives exactly the full-vocabulary
 * p_T restricted and renormalised, so the file does not depend on T.
 */
export function denseTeacher(rows: TopKRows, vocab: number, temperature: number): DenseTeacher {
  const { positions: n, k, ids, logProbs } = rows;
  const probs = new Float32Array(n * vocab);
  const bias = new Float32Array(n * vocab).fill(OFF_SUPPORT);
  const negEntropy = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) {
      const id = ids[p * k + j]!;
      if (id >= 0 && id < vocab) max = Math.max(max, logProbs[p * k + j]! / temperature);
    }
    if (max === -Infinity) continue; // no usable slot: this position contributes nothing
    let z = 0;
    for (let j = 0; j < k; j++) {
      const id = ids[p * k + j]!;
      if (id >= 0 && id < vocab) z += Math.exp(logProbs[p * k + j]! / temperature - max);
    }
    const logZ = Math.log(z) + max;
    let ne = 0;
    for (let j = 0; j < k; j++) {
      const id = ids[p * k + j]!;
      if (id < 0 || id >= vocab) continue;
      const lp = logProbs[p * k + j]! / temperature - logZ;
      const q = Math.exp(lp);
      probs[p * vocab + id] = q;
      bias[p * vocab + id] = 0;
      ne += q * lp;
    }
    negEntropy[p] = ne;
  }
  return {
    probs: tf.tensor2d(probs, [n, vocab]),
    supportBias: tf.tensor2d(bias, [n, vocab]),
    negEntropy: tf.tensor1d(negEntropy),
  };
}

export function disposeTeacher(t: DenseTeacher): void {
  tf.dispose([t.probs, t.supportBias, t.negEntropy]);
}

export interface DistillOutputs {
  loss: tf.Scalar;
  /** Mean KL(p_teacher_T || p_student_T) over masked positions, before the T^2 factor. */
  kl: tf.Scalar;
  ce: tf.Scalar;
}

/**
 * studentLogits [N, V], targets int32 [N] (the true next tokens), mask [N] (1 = counts).
 * Positions are flattened (batch x time) so the teacher file's row order is the only contract.
 */
export function distillLoss(
  studentLogits: tf.Tensor2D,
  teacher: DenseTeacher,
  targets: tf.Tensor,
  mask: tf.Tensor,
  options: Partial<DistillOptions> = {},
): DistillOutputs {
  const { temperature: t, alpha } = { ...DISTILL_DEFAULTS, ...options };
  if (!(t > 0)) throw new Error(`distillation temperature must be positive, got ${t}`);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`distillation alpha must be in [0, 1], got ${alpha}`);
  return tf.tidy(() => {
    const m = tf.cast(mask, "float32");
    const count = tf.maximum(tf.sum(m), 1);
    const logQ = logSoftmax(tf.add(tf.div(studentLogits, t), teacher.supportBias));
    const crossTerm = tf.sum(tf.mul(teacher.probs, logQ), -1);
    const klPer = tf.sub(teacher.negEntropy, crossTerm);
    const kl = tf.div(tf.sum(tf.mul(klPer, m)), count) as tf.Scalar;
    const ce = maskedCrossEntropy(studentLogits, targets, mask).loss;
    const loss = tf.add(tf.mul(kl, alpha * t * t), tf.mul(ce, 1 - alpha)) as tf.Scalar;
    return { loss, kl, ce };
  });
}
