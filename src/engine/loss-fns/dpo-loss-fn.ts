// DPO bound to the policy and its micro-batches (TRL's DPOTrainer, with its logged names), and
// the frozen reference's log-probs stored on the pairs before training.
import * as tf from "@tensorflow/tfjs-core";
import type { EncodedPair, PairMicroBatch } from "../data/pair-rows";
import { countedMask, scoreCompletions, type CompletionLogProb } from "../inference/score";
import type { Qwen2Model } from "../model";
import type { LossFn } from "../train";
import { dpoLoss, type DpoLossType, type DpoOptions } from "../objectives/dpo";

/** The DPO loss of one micro-batch, with TRL's metrics as per-pair means. */
export function dpoLossFn(model: Qwen2Model, options: Partial<DpoOptions>): LossFn<PairMicroBatch> {
  const lengthNormalised = options.lossType === "ipo";
  return (batch) => {
    const b = batch.pairs;
    const mask = countedMask(batch.lm);
    let lp: tf.Tensor1D = model.sequenceLogProbs(batch.lm, batch.lm.targets, mask, { training: true });
    // TRL's IPO compares mean log-probs per token, so long completions do not dominate.
    if (lengthNormalised) lp = tf.div(lp, tf.maximum(tf.sum(tf.reshape(tf.tensor1d(mask), [2 * b, -1]), 1), 1));
    const inputs = {
      policyChosen: tf.slice(lp, [0], [b]),
      policyRejected: tf.slice(lp, [b], [b]),
      refChosen: tf.tensor1d(batch.refChosen),
      refRejected: tf.tensor1d(batch.refRejected),
      weights: tf.tensor1d(batch.weights),
    };
    const out = dpoLoss(inputs, options);
    return {
      loss: out.loss,
      weight: batch.weightSum,
      metrics: {
        "rewards/chosen": tf.mean(out.chosenRewards),
        "rewards/rejected": tf.mean(out.rejectedRewards),
        "rewards/accuracies": tf.mean(tf.cast(tf.greater(out.chosenRewards, out.rejectedRewards), "float32")),
        "rewards/margins": tf.mean(tf.sub(out.chosenRewards, out.rejectedRewards)),
        "logps/chosen": tf.mean(inputs.policyChosen),
        "logps/rejected": tf.mean(inputs.policyRejected),
      },
    };
  };
}

/** Fills each pair's reference log-probs with the model as it is now (before training). */
export async function fillReferenceLogProbs(model: Qwen2Model, pairs: EncodedPair[], padId: number, lossType: DpoLossType): Promise<void> {
  const chosen = await scoreCompletions(model, pairs.map((p) => p.chosen), padId);
  const rejected = await scoreCompletions(model, pairs.map((p) => p.rejected), padId);
  setReference(pairs, chosen, rejected, lossType);
}

/** Stores reference log-probs on the pairs (per token for IPO, as TRL compares them). */
export function setReference(pairs: EncodedPair[], chosen: readonly CompletionLogProb[], rejected: readonly CompletionLogProb[], lossType: DpoLossType): void {
  const value = (s: CompletionLogProb) => (lossType === "ipo" ? s.sum / Math.max(s.tokens, 1) : s.sum);
  pairs.forEach((p, i) => {
    p.refChosen = value(chosen[i]!);
    p.refRejected = value(rejected[i]!);
  });
}
