// Distillation bound to the student and its micro-batches:
// alpha T^2 KL(teacher_T || student_T) + (1 - alpha) CE over the counted positions.
import * as tf from "@tensorflow/tfjs-core";
import type { DistillMicroBatch } from "../data/distill-rows";
import type { Qwen2Model } from "../model";
import type { LossFn } from "../train";
import { distillLoss, type DistillOptions } from "../objectives/distill";

export function distillLossFn(student: Qwen2Model, options: DistillOptions): LossFn<DistillMicroBatch> {
  return (batch) => {
    const n = batch.lm.batchSize * batch.lm.seqLen;
    const logits = tf.reshape(student.logits(batch.lm, { training: true }), [n, student.config.vocab_size]) as tf.Tensor2D;
    const targets = tf.tensor1d(Int32Array.from(batch.lm.targets, (x) => (x < 0 ? 0 : x)), "int32");
    const out = distillLoss(logits, batch.teacher, targets, tf.tensor1d(batch.mask), options);
    let counted = 0;
    for (const m of batch.mask) counted += m;
    return { loss: out.loss, weight: counted, metrics: { kl: out.kl, ce: out.ce } };
  };
}
