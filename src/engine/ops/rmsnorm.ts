// RMSNorm as Qwen2/Llama compute it: x * rsqrt(mean(x^2) + eps) * w, in float32.
// A hand-written gradient keeps two tensors per call for the backward pass (the normalised
// input and the per-row scale) instead of the half-dozen intermediates autodiff would keep.
import * as tf from "@tensorflow/tfjs-core";
import { customOp } from "./custom-op";
import { columnSums } from "./reduce";

export function rmsNorm(x: tf.Tensor2D, w: tf.Tensor1D, eps: number): tf.Tensor2D {
  const op = customOp(([xi, wi], save) => {
    // Intermediates not returned are freed by the engine's tidy around this function;
    // the saved ones are kept as copies until the backward pass.
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(xi!), -1, true), eps));
    const n = tf.mul(xi!, r);
    const value = tf.mul(n, wi!);
    save([n, r, wi!]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [ns, rs, ws] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const g = dy as tf.Tensor2D;
        return tf.tidy(() => {
          const dn = tf.mul(g, ws);
          const dw = columnSums(tf.mul(g, ns));
          const dx = tf.mul(rs, tf.sub(dn, tf.mul(ns, tf.mean(tf.mul(dn, ns), -1, true))));
          return [dx, dw];
        });
      },
    };
  });
  return op(x, w) as tf.Tensor2D;
}
