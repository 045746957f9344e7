// The SwiGLU gate of Qwen2's MLP: silu(gate) * up, with a hand-written gradient that keeps
// only its two inputs (autodiff would also keep sigmoid(gate) and silu(gate)).
import * as tf from "@tensorflow/tfjs-core";
import { customOp } from "./custom-op";

/** Gradients of silu(g) * u: dg = dy * u * s * (1 + g (1 - s)), du = dy * silu(g), s = sigmoid(g). */
export function swigluBackward(dy: tf.Tensor, g: tf.Tensor, u: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const s = tf.sigmoid(g);
    const silu = tf.mul(g, s);
    const dsilu = tf.mul(s, tf.add(1, tf.mul(g, tf.sub(1, s))));
    return [tf.mul(tf.mul(dy, u), dsilu), tf.mul(dy, silu)];
  });
}

export const swiglu = customOp(([g, u], save) => {
  const value = tf.mul(tf.mul(g!, tf.sigmoid(g!)), u!);
  save([g!, u!]);
  return {
    value,
    gradFunc: (dy, saved) => {
      const [gs, us] = saved as [tf.Tensor, tf.Tensor];
      return swigluBackward(dy, gs, us);
    },
  };
}) as (g: tf.Tensor2D, u: tf.Tensor2D) => tf.Tensor2D;
