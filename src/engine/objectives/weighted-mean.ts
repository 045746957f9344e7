// The mean of per-pair losses when pairs count unequally (a partial accept counts for the part
// of the suggestion the user refused): sum(w * loss) / sum(w). Without weights, the plain mean,
// so every objective's PyTorch-checked value is unchanged.
import * as tf from "@tensorflow/tfjs-core";

export function weightedMean(perPair: tf.Tensor, weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    if (!weights) return tf.mean(perPair) as tf.Scalar;
    // A batch whose weights are all 0 has nothing to learn from; the max keeps it at 0, not NaN.
    return tf.div(tf.sum(tf.mul(perPair, weights)), tf.maximum(tf.sum(weights), 1e-12)) as tf.Scalar;
  });
}
