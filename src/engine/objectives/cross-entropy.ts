// Next-token cross-entropy with a loss mask: the objective of continued pretraining (mask
// all ones, except padding) and of SFT (TRL's completion-only loss: prompt tokens masked).
import * as tf from "@tensorflow/tfjs-core";
import { targetLogProbs } from "./log-probs";

export interface MaskedCrossEntropy {
  /** Mean over masked tokens (what the optimiser minimises and the dashboard shows). */
  loss: tf.Scalar;
  /** Number of tokens that counted, for tokens/s and for averaging across micro-batches. */
  tokens: tf.Scalar;
}

/**
 * logits [..., V], targets int32 [...], mask [...] (1 = counts). A batch with no masked
 * token gives loss 0 rather than NaN, so an all-prompt SFT sample cannot poison a step.
 */
export function maskedCrossEntropy(logits: tf.Tensor, targets: tf.Tensor, mask: tf.Tensor): MaskedCrossEntropy {
  return tf.tidy(() => {
    const m = tf.cast(mask, "float32");
    const nll = tf.neg(targetLogProbs(logits, targets));
    const tokens = tf.sum(m) as tf.Scalar;
    const loss = tf.div(tf.sum(tf.mul(nll, m)), tf.maximum(tokens, 1)) as tf.Scalar;
    return { loss, tokens };
  });
}
