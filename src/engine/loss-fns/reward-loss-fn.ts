// The reward model's objective bound to its micro-batches (TRL's RewardTrainer): chosen rows
// then rejected rows of the same pairs in one forward pass.
import * as tf from "@tensorflow/tfjs-core";
import type { PairMicroBatch } from "../data/pair-rows";
import { rewards, type RewardModel } from "../reward/reward-model";
import type { LossFn } from "../train";
import { rewardLoss } from "../objectives/reward";

/** -log sigmoid(r_chosen - r_rejected) of one micro-batch, with pair accuracy and margin. */
export function rewardLossFn(rm: Pick<RewardModel, "model" | "head">, padId: number): LossFn<PairMicroBatch> {
  return (batch) => {
    const { chosen, rejected } = batch.rows;
    const r = rewards(rm, [...chosen, ...rejected], padId, true);
    const b = chosen.length;
    const out = rewardLoss(tf.slice(r, [0], [b]), tf.slice(r, [b], [b]), tf.tensor1d(batch.weights));
    return { loss: out.loss, weight: batch.weightSum, metrics: { accuracy: out.accuracy, margin: out.margin } };
  };
}
