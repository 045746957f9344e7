// y = x W^T + b with W stored [out, in] as PyTorch does, written so that every product is a
// plain 2-D, untransposed matMul, forward and backward. On the wasm backend only that form
// takes XNNPACK (about 10x faster than the transposed or batched forms that tf.matMul's own
// gradient uses: shared/notes/engine-facts.md), so we transpose explicitly (a cheap copy)
// and hand the backend NN products only. Other backends lose little, and one code path
// keeps results the same everywhere.
import * as tf from "@tensorflow/tfjs-core";
import { customOp } from "./custom-op";
import { columnSums } from "./reduce";

/**
 * x W^T by whichever NN product needs the smaller transpose: W^T itself (out*in values:
 * training, where N is large) or x^T and the result ((N)(in+out) values: decoding, where
 * N is a handful of tokens and transposing every weight per token would dominate).
 */
export function forwardProduct(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const [n, inDim] = x.shape;
  const outDim = w.shape[0];
  if (n * (inDim + outDim) < inDim * outDim) return tf.transpose(tf.matMul(w, tf.transpose(x))) as tf.Tensor2D;
  return tf.matMul(x, tf.transpose(w));
}

/**
 * dW = dy^T x [out, in] as an NN product. Transposing x instead ((x^T dy)^T) would move fewer
 * values when out > in, but XNNPACK packs the right-hand operand on every call, and a wide
 * one ([N, out]) made that product 1.5-2x slower than the transpose it saved (measured).
 */
export function weightGrad(dy: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(tf.transpose(dy), x);
}

const linearNoBias = customOp(([x, w], save) => {
  const value = forwardProduct(x as tf.Tensor2D, w as tf.Tensor2D);
  save([x!, w!]);
  return {
    value,
    gradFunc: (dy, saved) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      // dx = dy W (NN as stored); dW = dy^T x
      return [tf.matMul(g, ws), weightGrad(g, xs)];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

const linearBias = customOp(([x, w, b], save) => {
  const value = tf.add(forwardProduct(x as tf.Tensor2D, w as tf.Tensor2D), b!);
  save([x!, w!]);
  return {
    value,
    gradFunc: (dy, saved) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, ws), weightGrad(g, xs), columnSums(g)];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** x [N, in] W^T (+ b) with W [out, in]: PyTorch's nn.Linear, every product on the fast path. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  return b ? linearBias(x, w, b) : linearNoBias(x, w);
}

/**
 * a [N, k] times b [k, m] with the same NN-only backward, for products whose right-hand
 * side is not a stored PyTorch weight (LoRA factors, for one).
 */
export const matMulNN = customOp(([a, b], save) => {
  const value = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
  save([a!, b!]);
  return {
    value,
    gradFunc: (dy, saved) => {
      const [as, bs] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, tf.transpose(bs)), tf.matMul(tf.transpose(as), g)];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
