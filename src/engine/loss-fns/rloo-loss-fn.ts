// RLOO bound to the policy and a micro-batch of sampled completions (src/engine/rl/rl-rows.ts):
// the policy's log-prob of each sample is the only differentiable input; the reward model's
// scores and the reference's log-probs were computed when the samples were drawn.
import * as tf from "@tensorflow/tfjs-core";
import { countedMask } from "../inference/score";
import type { LmBatch, Qwen2Model } from "../model";
import type { LossFn, MicroBatch } from "../train";
import { rlooLoss, rlooMetrics, type RlooOptions } from "../objectives/rloo";

export interface RlooMicroBatch extends MicroBatch {
  /** prompts * k rows, one prompt's k samples together; targets count the completion only. */
  lm: LmBatch;
  refLogps: Float32Array;
  scores: Float32Array;
  lengths: Float32Array;
}

export function rlooLossFn(model: Qwen2Model, options: Partial<RlooOptions> & { k: number }): LossFn<RlooMicroBatch> {
  return (batch) => {
    const mask = countedMask(batch.lm);
    const inputs = {
      policyLogps: model.sequenceLogProbs(batch.lm, batch.lm.targets, mask, { training: true }),
      refLogps: tf.tensor1d(batch.refLogps),
      scores: tf.tensor1d(batch.scores),
      lengths: tf.tensor1d(batch.lengths),
    };
    const out = rlooLoss(inputs, options);
    const metrics: Record<string, tf.Scalar> = {};
    for (const [name, value] of Object.entries(rlooMetrics(inputs, out, options))) metrics[name] = tf.scalar(value);
    return { loss: out.loss, weight: batch.scores.length, metrics };
  };
}
