// log p(target) for each row of a logits matrix, with a fused backward
// (d/dlogits = onehot(target) - softmax(logits)). tfjs has no fused logSoftmax on wasm or
// webgpu and autodiff through the composed one keeps several [N, V] intermediates; this op
// keeps the logits and one [N, 1] log-sum-exp.
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
    const keepT = tf.tensor1d(keep);
    const lse = tf.logSumExp(x!, -1, true);
    const picked = tf.gather(tf.reshape(x!, [-1]), tf.tensor1d(flatIndex, "int32"));
    const value = tf.mul(tf.sub(picked, tf.reshape(lse, [-1])), keepT);
    save([x!, lse]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [xs, lses] = saved as [tf.Tensor2D, tf.Tensor2D];
        return tf.tidy(() => {
          const w = tf.reshape(tf.mul(dy, tf.tensor1d(keep)), [n, 1]);
          const probs = tf.exp(tf.sub(xs, lses));
          const onehot = tf.oneHot(tf.tensor1d(safe, "int32"), vocab);
          return [tf.mul(tf.sub(onehot, probs), w)];
        });
      },
    };
  });
  return op(logits) as tf.Tensor1D;
}
