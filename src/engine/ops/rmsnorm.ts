// RMSNorm as Qwen2/Llama compute it: x * rsqrt(mean(x^2) + eps) * w, in float32.
// A hand-written gradient keeps two tensors per call for the backward pass (the normalised
// input and the per-row scale) instead of the half-dozen intermediates autodiff would keep.
import * as tf from "@tensorflow/tfjs-core";
import { customOp } from "./custom-op";
import { columnSums } from "./reduce";

/** n = x * r, r = rsqrt(mean(x^2) + eps) [N, 1]; the output is n * w. */
export function rmsForward(x: tf.Tensor2D, eps: number): { n: tf.Tensor2D; r: tf.Tensor2D } {
  return tf.tidy(() => {
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps)) as tf.Tensor2D;
    return { n: tf.mul(x, r) as tf.Tensor2D, r };
  });
}

/** dx = r * (dn - n * mean(dn * n)) with dn = dy * w; dw = column sums of dy * n. */
export function rmsBackward(dy: tf.Tensor2D, n: tf.Tensor2D, r: tf.Tensor2D, w: tf.Tensor1D): { dx: tf.Tensor2D; dw: tf.Tensor1D } {
  return tf.tidy(() => {
    const dn = tf.mul(dy, w);
    const dw = columnSums(tf.mul(dy, n) as tf.Tensor2D);
    const dx = tf.mul(r, tf.sub(dn, tf.mul(n, tf.mean(tf.mul(dn, n), -1, true)))) as tf.Tensor2D;
    return { dx, dw };
  });
}

export function rmsNorm(x: tf.Tensor2D, w: tf.Tensor1D, eps: number): tf.Tensor2D {
  const op = customOp(([xi, wi], save) => {
    // Intermediates not returned are freed by the engine's tidy around this function;
    // the saved ones are kept as copies until the backward pass.
    const { n, r } = rmsForward(xi as tf.Tensor2D, eps);
    const value = tf.mul(n, wi!);
    save([n, r, wi!]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [ns, rs, ws] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const { dx, dw } = rmsBackward(dy as tf.Tensor2D, ns, rs, ws);
        return [dx, dw];
      },
    };
  });
  return op(x, w) as tf.Tensor2D;
}
