// Log-probabilities of chosen tokens, written so that every backend can differentiate them.
// Why not tf.gather / tf.logSoftmax: on wasm, gather's gradient (UnsortedSegmentSum) is
// missing and logSoftmax has no fused kernel, so the target's log-prob is picked with a
// one-hot product and the normaliser is a max-shifted log-sum-exp.
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core ships its gradients separately; without them every backward pass fails. The module
// is evaluated once however many importers it has.
import "@tensorflow/tfjs-core/dist/register_all_gradients";

/** log softmax over the last axis, stable for large logits. */
export function logSoftmax(logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const axis = logits.rank - 1;
    // log softmax is shift-invariant, so the gradient that flows through the max cancels.
    const max = tf.max(logits, axis, true);
    const shifted = tf.sub(logits, max);
    const lse = tf.log(tf.sum(tf.exp(shifted), axis, true));
    return tf.sub(shifted, lse);
  });
}

/**
 * Log-prob of each target token: logits [..., V], targets int32 [...] -> [...].
 * Targets outside [0, V) (padding such as -1) give 0: one-hot of them is all zeros.
 */
export function targetLogProbs(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const vocab = logits.shape[logits.rank - 1] as number;
    const onehot = tf.oneHot(tf.cast(targets, "int32"), vocab) as tf.Tensor;
    return tf.sum(tf.mul(logSoftmax(logits), onehot), -1);
  });
}

export interface SequenceLogProbs {
  /** Sum of the masked tokens' log-probs per sequence [B] (TRL's DPO convention). */
  sum: tf.Tensor1D;
  /** Masked token count per sequence [B], for length-normalised variants (IPO). */
  count: tf.Tensor1D;
}

/**
 * Per-sequence log-prob of the completion: logits [B, T, V], targets [B, T] (already
 * shifted: targets[t] is the token after position t), mask [B, T] (1 on completion tokens).
 */
export function sequenceLogProbs(logits: tf.Tensor, targets: tf.Tensor, mask: tf.Tensor): SequenceLogProbs {
  return tf.tidy(() => {
    const m = tf.cast(mask, "float32");
    const per = targetLogProbs(logits, targets);
    return {
      sum: tf.sum(tf.mul(per, m), -1) as tf.Tensor1D,
      count: tf.sum(m, -1) as tf.Tensor1D,
    };
  });
}

/**
 * log sigmoid(x) = min(x, 0) - log(1 + exp(-|x|)): stable for any x, and built from ops with
 * registered gradients. Why not tf.logSigmoid: its custom gradient fails inside tf.grads
 * ("Cannot read properties of undefined (reading 'backend')") in tfjs 4.22.
 */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.minimum(x, 0), tf.log1p(tf.exp(tf.neg(tf.abs(x))))));
}
