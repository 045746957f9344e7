// Column sums of a matrix as a [1, N] x [N, M] product. tf.sum(x, 0) reduces over a leading
// axis, which the wasm backend does by transposing the whole matrix first and then summing
// rows; a plain 2-D matMul by a row of ones reads x once, on the XNNPACK fast path.
import * as tf from "@tensorflow/tfjs-core";

/** Sum over the rows of x [N, M] -> [M] (the gradient of a broadcast bias or norm weight). */
export function columnSums(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]));
}
