// The reward model's pairwise objective (Bradley-Terry, as TRL's RewardTrainer):
// loss = mean(-log sigmoid(r_chosen - r_rejected)), with r a scalar head on the last token;
// with per-pair weights w, sum(w * loss) / sum(w) (a partial accept counts for the part refused).
import * as tf from "@tensorflow/tfjs-core";
import { logSigmoid } from "./log-probs";
import { weightedMean } from "./weighted-mean";

export interface RewardOutputs {
  loss: tf.Scalar;
  /** Fraction of pairs ranked strictly right, a number for the dashboard. */
  accuracy: tf.Scalar;
  margin: tf.Scalar;
}

export function rewardLoss(chosen: tf.Tensor1D, rejected: tf.Tensor1D, weights?: tf.Tensor1D): RewardOutputs {
  return tf.tidy(() => {
    const d = tf.sub(chosen, rejected);
    return {
      loss: weightedMean(tf.neg(logSigmoid(d)), weights),
      accuracy: tf.mean(tf.cast(tf.greater(d, 0), "float32")) as tf.Scalar,
      margin: tf.mean(d) as tf.Scalar,
    };
  });
}
