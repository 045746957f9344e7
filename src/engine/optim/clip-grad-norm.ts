// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_ (norm_type 2):
//   total = || (||g_1||, ..., ||g_n||) ||,  coef = min(1, max_norm / (total + 1e-6)),  g *= coef
// torch multiplies even when coef is 1 and returns the norm before clipping; so do we.
import * as tf from "@tensorflow/tfjs-core";

export interface ClippedGrads {
  grads: Map<string, tf.Tensor>;
  /** The global L2 norm before clipping (a scalar tensor: reading it is the caller's choice). */
  norm: tf.Scalar;
}

/** The global L2 norm of all gradients. */
export function globalNorm(grads: Iterable<tf.Tensor>): tf.Scalar {
  return tf.tidy(() => {
    const squares = [...grads].map((g) => tf.sum(tf.square(g)));
    return (squares.length ? tf.sqrt(tf.addN(squares)) : tf.scalar(0)) as tf.Scalar;
  });
}

/** New clipped gradients (the inputs are not disposed) and the norm before clipping. */
export function clipGradNorm(grads: ReadonlyMap<string, tf.Tensor>, maxNorm: number): ClippedGrads {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: max norm must be positive, got ${maxNorm}`);
  const names = [...grads.keys()];
  // tidy tracks arrays, not Maps: clip as a list, then name the results.
  const [norm, ...clipped] = tf.tidy(() => {
    const total = globalNorm(grads.values());
    const coef = tf.minimum(tf.div(tf.scalar(maxNorm), tf.add(total, 1e-6)), 1);
    return [total, ...names.map((name) => tf.mul(grads.get(name) as tf.Tensor, coef))];
  });
  return { grads: new Map(names.map((name, i) => [name, clipped[i] as tf.Tensor])), norm: norm as tf.Scalar };
}
