// Causal grouped-query attention as one differentiable op whose products are all plain 2-D
// matMuls (the fast path on wasm; see linear.ts), with a hand-written backward that keeps
// q, k, v and the attention probabilities and nothing else.
//
// Layout: the G = heads / kvHeads query heads that share a key/value head are stacked as
// rows, so each (batch, kv head) pair is one [G*T, D] x [D, T] product: fewer, larger
// matMuls than one per query head, and no repeat_kv copy of K and V.
import * as tf from "@tensorflow/tfjs-core";
import { customOp } from "./custom-op";

/** Scores, mask, softmax and P V for q [B*KV, G*Tq, D], k and v [B*KV, Tk, D]: the output and P. */
export function attentionForward(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  maskBias: tf.Tensor4D | null,
  batch: number,
  groups: number,
): { out: tf.Tensor3D; probs: tf.Tensor3D } {
  const pairs = q.shape[0];
  const seqK = k.shape[1];
  const seqQ = q.shape[1] / groups;
  const kvPerBatch = pairs / batch;
  return tf.tidy(() => {
    const qs = tf.unstack(q) as tf.Tensor2D[];
    const kts = tf.unstack(tf.transpose(k, [0, 2, 1])) as tf.Tensor2D[];
    const scores = tf.stack(qs.map((qh, i) => tf.matMul(qh, kts[i]!))) as tf.Tensor3D;
    // [B*KV, G*T, T] -> [B, KV*G, T, T] to add the mask (broadcast over heads), then back.
    // No mask (null) when every key is allowed: one new token after an unpadded cache.
    const shaped = tf.reshape(scores, [batch, kvPerBatch * groups, seqQ, seqK]);
    const masked = maskBias ? tf.add(shaped, maskBias) : shaped;
    const probs = tf.reshape(tf.softmax(masked), [pairs, groups * seqQ, seqK]) as tf.Tensor3D;
    const ps = tf.unstack(probs) as tf.Tensor2D[];
    const vs = tf.unstack(v) as tf.Tensor2D[];
    const out = tf.stack(ps.map((p, i) => tf.matMul(p, vs[i]!))) as tf.Tensor3D;
    return { out, probs };
  });
}

/** Gradients of q, k, v from the output's gradient dO and what the forward pass computed. */
export function attentionBackward(dO: tf.Tensor3D, q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, probs: tf.Tensor3D): [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D] {
  return tf.tidy(() => {
    const dOs = tf.unstack(dO) as tf.Tensor2D[];
    const vTs = tf.unstack(tf.transpose(v, [0, 2, 1])) as tf.Tensor2D[];
    const pTs = tf.unstack(tf.transpose(probs, [0, 2, 1])) as tf.Tensor2D[];
    // dP = dO V^T; dV = P^T dO. (Writing P^T dO as (dO^T P)^T transposes less, but the
    // [D, G*T] x [G*T, T] product is 2x slower on XNNPACK than [T, G*T] x [G*T, D].)
    const dP = tf.stack(dOs.map((d, i) => tf.matMul(d, vTs[i]!)));
    const dV = tf.stack(pTs.map((pt, i) => tf.matMul(pt, dOs[i]!))) as tf.Tensor3D;
    // softmax backward: dS = P * (dP - rowsum(dP * P)); the mask bias is a constant.
    const dS = tf.mul(probs, tf.sub(dP, tf.sum(tf.mul(dP, probs), -1, true))) as tf.Tensor3D;
    const dSs = tf.unstack(dS) as tf.Tensor2D[];
    const dSTs = tf.unstack(tf.transpose(dS, [0, 2, 1])) as tf.Tensor2D[];
    const ks = tf.unstack(k) as tf.Tensor2D[];
    const qs = tf.unstack(q) as tf.Tensor2D[];
    // dQ = dS K; dK = dS^T Q
    const dQ = tf.stack(dSs.map((ds, i) => tf.matMul(ds, ks[i]!))) as tf.Tensor3D;
    const dK = tf.stack(dSTs.map((dst, i) => tf.matMul(dst, qs[i]!))) as tf.Tensor3D;
    return [dQ, dK, dV];
  });
}

/**
 * q [B*KV, G*Tq, D] (already scaled by 1/sqrt(D) and rotated), k and v [B*KV, Tk, D]
 * (Tk > Tq when decoding after a cache), maskBias [B or 1, 1, Tq, Tk] (0 where attending is
 * allowed, a large negative number where not; null when all are). Returns [B*KV, G*Tq, D].
 */
export function groupedAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, maskBias: tf.Tensor4D | null, batch: number, groups: number): tf.Tensor3D {
  const op = customOp(([qi, ki, vi], save) => {
    const { out, probs } = attentionForward(qi as tf.Tensor3D, ki as tf.Tensor3D, vi as tf.Tensor3D, maskBias, batch, groups);
    save([qi!, ki!, vi!, probs]);
    return {
      value: out,
      gradFunc: (dy, saved) => {
        const [qs, ks, vs, ps] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
        return attentionBackward(dy as tf.Tensor3D, qs, ks, vs, ps);
      },
    };
  });
  return op(q, k, v) as tf.Tensor3D;
}

/**
 * The additive mask [B, 1, T, T] for a causal model over right- or left-padded rows:
 * position i may attend to j when j <= i and j is a real token. A query row with no
 * allowed key at all (a padding position before any real token) attends to itself, so its
 * softmax stays finite; its output is never used by a masked loss.
 */
export function causalMaskBias(batch: number, seq: number, attentionMask?: ArrayLike<number>, pastLength = 0): Float32Array {
  const total = pastLength + seq;
  const out = new Float32Array(batch * seq * total);
  const NEG = -1e9;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < seq; i++) {
      const row = (b * seq + i) * total;
      const qpos = pastLength + i;
      let any = false;
      for (let j = 0; j < total; j++) {
        const real = attentionMask ? attentionMask[b * total + j]! > 0 : true;
        const ok = j <= qpos && real;
        out[row + j] = ok ? 0 : NEG;
        any ||= ok;
      }
      if (!any) out[row + qpos] = 0;
    }
  }
  return out;
}
