// The SwiGLU gate of Qwen2's MLP: silu(gate) * up, with a hand-written gradient that keeps
// only its two inputs (autodiff would also keep sigmoid(gate) and silu(gate)).
import * as tf from "@tensorflow/tfjs-core";
import { customOp } from "./custom-op";

export const swiglu = customOp(([g, u], save) => {
  const value = tf.mul(tf.mul(g!, tf.sigmoid(g!)), u!);
  save([g!, u!]);
  return {
    value,
    gradFunc: (dy, saved) => {
      const [gs, us] = saved as [tf.Tensor, tf.Tensor];
      const d = dy;
      return tf.tidy(() => {
        const s = tf.sigmoid(gs);
        const silu = tf.mul(gs, s);
        // d silu(g)/dg = s * (1 + g * (1 - s))
        const dsilu = tf.mul(s, tf.add(1, tf.mul(gs, tf.sub(1, s))));
        return [tf.mul(tf.mul(d, us), dsilu), tf.mul(d, silu)];
      });
    },
  };
}) as (g: tf.Tensor2D, u: tf.Tensor2D) => tf.Tensor2D;
