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

/**
 * x W^T with W frozen (a LoRA run's base, its tied output layer above all): W is not an input,
 * so the backward computes dx = dy W only. linear()'s backward would also build dW, which for
 * Qwen2.5's [151936, 896] output layer is 545 MB of wasm heap nobody reads.
 */
export function frozenLinear(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const op = customOp(([xi], save) => {
    save([w]);
    return { value: forwardProduct(xi as tf.Tensor2D, w), gradFunc: (dy, saved) => [frozenInputGrad(dy as tf.Tensor2D, saved[0] as tf.Tensor2D)] };
  });
  return op(x) as tf.Tensor2D;
}

/** Rows of a frozen weight transposed at a time: bounds the transient copy (64 MB of Qwen2.5's output layer). */
const FROZEN_ROWS_PER_CHUNK = 16384;

/**
 * dx = dy W for a weight that stays frozen, without W as a product's right-hand operand:
 * XNNPACK packs and caches a copy of that operand for as long as the tensor lives, which for
 * every frozen weight of a base doubles the heap it needs (a 0.5B base: 2 GB more, past wasm's
 * 4 GiB). As (W^T dy^T)^T the weight is the left operand, transposed in row chunks that are
 * freed at once; the products stay the plain NN form XNNPACK runs fast.
 */
export function frozenInputGrad(dy: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const rows = w.shape[0];
  const product = (d: tf.Tensor2D, part: tf.Tensor2D) => tf.transpose(tf.matMul(tf.transpose(part), tf.transpose(d))) as tf.Tensor2D;
  if (rows <= FROZEN_ROWS_PER_CHUNK) return tf.tidy(() => product(dy, w));
  let sum: tf.Tensor2D | null = null;
  for (let start = 0; start < rows; start += FROZEN_ROWS_PER_CHUNK) {
    const size = Math.min(FROZEN_ROWS_PER_CHUNK, rows - start);
    const part = tf.tidy(() => product(tf.slice(dy, [0, start], [-1, size]), tf.slice(w, [start, 0], [size, -1])));
    const next: tf.Tensor2D = sum ? tf.add(sum, part) : part;
    if (sum) tf.dispose([sum, part]);
    sum = next;
  }
  return sum!;
}

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
