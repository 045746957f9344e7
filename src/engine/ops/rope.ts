// Rotary position embedding over halves, as Hugging Face's rotate_half does it (Qwen2 and
// GGUF architecture `qwen2`): for a head vector x = [x1, x2],
//   y = x * cos + [-x2, x1] * sin
// We fold the sign into the sine table (sinSigned = [-sin, sin]) so both directions are
// "swap the halves, multiply, add": y = x*cos + swap(x)*sinSigned, and the gradient is
// dx = dy*cos + swap(dy*sinSigned).
import * as tf from "@tensorflow/tfjs-core";
import { customOp } from "./custom-op";

/**
 * cos and sign-folded sin tables [positions, headDim], computed the way PyTorch does it in
 * float32 (inv_freq = 1 / base^(2i/d), angle = pos * inv_freq, each rounded to float32) so
 * our angles match transformers' to the last bit as far as possible: at position 250 one
 * float32 ulp of the angle is already 1.5e-5.
 */
export function ropeTables(positions: number, headDim: number, base: number): { cos: Float32Array; sinSigned: Float32Array } {
  const half = headDim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = Math.fround(1 / Math.fround(Math.pow(base, Math.fround((2 * i) / headDim))));
  const cos = new Float32Array(positions * headDim);
  const sinSigned = new Float32Array(positions * headDim);
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * invFreq[i]!);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[p * headDim + i] = c;
      cos[p * headDim + half + i] = c;
      sinSigned[p * headDim + i] = -s;
      sinSigned[p * headDim + half + i] = s;
    }
  }
  return { cos, sinSigned };
}

function swapHalves<T extends tf.Tensor>(x: T): T {
  const d = x.shape[x.rank - 1]!;
  const [a, b] = tf.split(x, [d / 2, d / 2], -1);
  return tf.concat([b!, a!], -1) as T;
}

/** y = x*cos + swap(x)*sinSigned: the rotation itself, for x [B, T, heads, D] and tables [T, 1, D]. */
export function ropeForward(x: tf.Tensor4D, cos: tf.Tensor3D, sinSigned: tf.Tensor3D): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(x, cos), tf.mul(swapHalves(x), sinSigned)));
}

/** The rotation's gradient: dx = dy*cos + swap(dy*sinSigned) (the inverse rotation). */
export function ropeBackward(dy: tf.Tensor4D, cos: tf.Tensor3D, sinSigned: tf.Tensor3D): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(dy, cos), swapHalves(tf.mul(dy, sinSigned))));
}

/**
 * Applies rotary embedding to x [B, T, heads, D]. cos and sinSigned are [T, 1, D] (the rows
 * for these positions), broadcast over batch and heads; they are constants, not trained.
 */
export function applyRope(x: tf.Tensor4D, cos: tf.Tensor3D, sinSigned: tf.Tensor3D): tf.Tensor4D {
  const op = customOp(([xi], save) => {
    const value = ropeForward(xi as tf.Tensor4D, cos, sinSigned);
    // The tables are saved (kept copies, no data copied) so the caller may free its slices.
    save([cos, sinSigned]);
    return {
      value,
      gradFunc: (g, saved) => {
        const [c, s] = saved as [tf.Tensor3D, tf.Tensor3D];
        return [ropeBackward(g as tf.Tensor4D, c, s)];
      },
    };
  });
  return op(x) as tf.Tensor4D;
}
