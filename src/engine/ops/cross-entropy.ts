// log p(target) for each row of a logits matrix, with a fused backward
// (d/dlogits = onehot(target) - softmax(logits)). tfjs has no fused logSoftmax on wasm or
// webgpu and autodiff through the composed one keeps several [N, V] intermediates; this op
// keeps one: the probabilities.
import * as tf from "@tensorflow/tfjs-core";
import { customOp } from "./custom-op";

/** HF's ignore_index: a target that contributes nothing (prompt tokens, padding). */
export const IGNORE_INDEX = -100;

/**
 * logits [N, V], targets int32 [N] (IGNORE_INDEX allowed) -> [N] log-probabilities of the
 * targets, 0 where the target is ignored (and no gradient flows from those rows).
 */
export function targetLogProbs(logits: tf.Tensor2D, targets: Int32Array): tf.Tensor1D {
  const [n, vocab] = logits.shape;
  if (targets.length !== n) throw new Error(`targetLogProbs: ${targets.length} targets for ${n} rows of logits`);
  const safe = new Int32Array(n);
  const keep = new Float32Array(n);
  const flatIndex = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = targets[i]!;
    if (t === IGNORE_INDEX) continue;
    if (t < 0 || t >= vocab) throw new Error(`targetLogProbs: target ${t} at row ${i} is outside the vocabulary (0..${vocab - 1})`);
    safe[i] = t;
    keep[i] = 1;
    flatIndex[i] = i * vocab + t;
  }
  const op = customOp(([x], save) => {
    // log p_t = x_t - logsumexp(x), and logsumexp(x) = max(x) - log(max(softmax(x))) since
    // the largest probability is exp(0) / sum. So the fused softmax kernel (vectorised on
    // wasm, where the Exp kernel is not: 4x slower over [N, vocab]) gives the log-probs
    // without an exp of our own, and without underflow: max(softmax) >= 1/vocab.
    const probs = tf.softmax(x! as tf.Tensor2D);
    const idx = tf.tensor1d(flatIndex, "int32");
    const picked = tf.gather(tf.reshape(x!, [-1]), idx);
    const lse = tf.sub(tf.max(x!, -1), tf.log(tf.max(probs, -1)));
    const value = tf.mul(tf.sub(picked, lse), tf.tensor1d(keep));
    save([probs]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [p] = saved as [tf.Tensor2D];
        return tf.tidy(() => {
          const w = tf.reshape(tf.mul(dy, tf.tensor1d(keep)), [n, 1]);
          const onehot = tf.oneHot(tf.tensor1d(safe, "int32"), vocab);
          return [tf.mul(tf.sub(onehot, p), w)];
        });
      },
    };
  });
  return op(logits) as tf.Tensor1D;
}
