// One whole Qwen2 decoder layer as a single differentiable op, with its backward pass written
// out by hand as llm.c does. tfjs's autodiff keeps the gradient of every intermediate tensor
// until the whole backward pass ends (tape.ts never frees them), so memory grew with every
// op of every layer; here the tape holds one node per layer, the backward of a layer frees
// its temporaries before the next layer's starts, and what is saved for it is only:
// the norms' normalised inputs and scales, q/k/v in attention layout, the attention
// probabilities, the attention output, and the MLP's gate and up projections. The norms'
// outputs and silu(gate)*up are recomputed (one multiply each) instead of kept.
//
// Used for training without adapters (LoRA's hook needs tfjs autodiff through its own ops,
// so adapted models and decoding run the op-by-op layer in qwen2.ts). Gradients agree with
// the op-by-op path and with PyTorch (test/unit/engine/model/parity.test.ts runs both).
import * as tf from "@tensorflow/tfjs-core";
import { attentionBackward, attentionForward } from "./attention";
import { customOp } from "./custom-op";
import { forwardProduct, weightGrad } from "./linear";
import { columnSums } from "./reduce";
import { rmsBackward, rmsForward } from "./rmsnorm";
import { ropeBackward, ropeForward } from "./rope";
import { swigluBackward } from "./swiglu";

export interface LayerShape {
  batch: number;
  seq: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  eps: number;
}

/** The layer's parameters, in PyTorch layout; biases only when the model has q/k/v bias. */
export interface LayerParams {
  inputNorm: tf.Tensor1D;
  q: tf.Tensor2D;
  k: tf.Tensor2D;
  v: tf.Tensor2D;
  qBias?: tf.Tensor1D;
  kBias?: tf.Tensor1D;
  vBias?: tf.Tensor1D;
  o: tf.Tensor2D;
  postNorm: tf.Tensor1D;
  gate: tf.Tensor2D;
  up: tf.Tensor2D;
  down: tf.Tensor2D;
}

const ORDER = ["inputNorm", "q", "k", "v", "o", "postNorm", "gate", "up", "down", "qBias", "kBias", "vBias"] as const;

function project(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const y = forwardProduct(x, w);
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

/**
 * h [B*T, hidden] -> the layer's output, differentiable in h and every parameter. cos and
 * sinSigned are the rotary tables for these positions ([T, 1, D]); maskBias as in
 * groupedAttention.
 */
export function decoderLayer(h: tf.Tensor2D, p: LayerParams, cos: tf.Tensor3D, sinSigned: tf.Tensor3D, maskBias: tf.Tensor4D | null, s: LayerShape): tf.Tensor2D {
  const { batch, seq, heads, kvHeads, headDim: d, eps } = s;
  const groups = heads / kvHeads;
  const n = batch * seq;
  const scale = 1 / Math.sqrt(d);
  const hasBias = p.qBias !== undefined;
  const inputs = [h, ...ORDER.filter((k) => p[k] !== undefined).map((k) => p[k]!)];

  const op = customOp((ins, save) => {
    const [hi, wIn, wq, wk, wv, wo, wPost, wg, wu, wd, bq, bk, bv] = ins as [
      tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D,
      tf.Tensor1D | undefined, tf.Tensor1D | undefined, tf.Tensor1D | undefined,
    ];
    // Attention block.
    const norm1 = rmsForward(hi, eps);
    const x = tf.mul(norm1.n, wIn) as tf.Tensor2D;
    const q = tf.mul(project(x, wq, bq), scale);
    const k = project(x, wk, bk);
    const v = project(x, wv, bv);
    const qa = tf.reshape(tf.transpose(ropeForward(tf.reshape(q, [batch, seq, heads, d]), cos, sinSigned), [0, 2, 1, 3]), [batch * kvHeads, groups * seq, d]) as tf.Tensor3D;
    const ka = tf.reshape(tf.transpose(ropeForward(tf.reshape(k, [batch, seq, kvHeads, d]), cos, sinSigned), [0, 2, 1, 3]), [batch * kvHeads, seq, d]) as tf.Tensor3D;
    const va = tf.reshape(tf.transpose(tf.reshape(v, [batch, seq, kvHeads, d]), [0, 2, 1, 3]), [batch * kvHeads, seq, d]) as tf.Tensor3D;
    const att = attentionForward(qa, ka, va, maskBias, batch, groups);
    const o2 = tf.reshape(tf.transpose(tf.reshape(att.out, [batch, heads, seq, d]), [0, 2, 1, 3]), [n, heads * d]) as tf.Tensor2D;
    const h1 = tf.add(hi, forwardProduct(o2, wo)) as tf.Tensor2D;
    // MLP block.
    const norm2 = rmsForward(h1, eps);
    const x2 = tf.mul(norm2.n, wPost) as tf.Tensor2D;
    const g = forwardProduct(x2, wg);
    const u = forwardProduct(x2, wu);
    const act = tf.mul(tf.mul(g, tf.sigmoid(g)), u) as tf.Tensor2D;
    const value = tf.add(h1, forwardProduct(act, wd));
    save([norm1.n, norm1.r, wIn, wq, wk, wv, qa, ka, va, att.probs, o2, wo, norm2.n, norm2.r, wPost, wg, wu, wd, g, u, cos, sinSigned]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [n1, r1, sIn, sq, sk, sv, sqa, ska, sva, probs, so2, so, n2, r2, sPost, sg, su, sd, gs, us, c, sn] = saved as [
          tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D,
          tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D,
          tf.Tensor3D, tf.Tensor3D,
        ];
        const dOut = dy as tf.Tensor2D;
        // MLP: out = h1 + act Wd^T, act = silu(g) * u, g = x2 Wg^T, u = x2 Wu^T, x2 = n2 * wPost.
        const mlp = tf.tidy(() => {
          const actS = tf.mul(tf.mul(gs, tf.sigmoid(gs)), us) as tf.Tensor2D;
          const dWd = weightGrad(dOut, actS);
          const dAct = tf.matMul(dOut, sd);
          const [dg, du] = swigluBackward(dAct, gs, us) as [tf.Tensor2D, tf.Tensor2D];
          const x2s = tf.mul(n2, sPost) as tf.Tensor2D;
          const dWg = weightGrad(dg, x2s);
          const dWu = weightGrad(du, x2s);
          const dx2 = tf.add(tf.matMul(dg, sg), tf.matMul(du, su)) as tf.Tensor2D;
          const norm = rmsBackward(dx2, n2, r2, sPost);
          return { dWd, dWg, dWu, dPost: norm.dw, dh1: tf.add(dOut, norm.dx) as tf.Tensor2D };
        });
        // Attention: h1 = h + o2 Wo^T.
        const attn = tf.tidy(() => {
          const dh1 = mlp.dh1;
          const dWo = weightGrad(dh1, so2);
          const do2 = tf.matMul(dh1, so);
          const dOa = tf.reshape(tf.transpose(tf.reshape(do2, [batch, seq, heads, d]), [0, 2, 1, 3]), [batch * kvHeads, groups * seq, d]) as tf.Tensor3D;
          const [dqa, dka, dva] = attentionBackward(dOa, sqa, ska, sva, probs);
          const dq = tf.reshape(tf.mul(ropeBackward(tf.transpose(tf.reshape(dqa, [batch, heads, seq, d]), [0, 2, 1, 3]) as tf.Tensor4D, c, sn), scale), [n, heads * d]) as tf.Tensor2D;
          const dk = tf.reshape(ropeBackward(tf.transpose(tf.reshape(dka, [batch, kvHeads, seq, d]), [0, 2, 1, 3]) as tf.Tensor4D, c, sn), [n, kvHeads * d]) as tf.Tensor2D;
          const dv = tf.reshape(tf.transpose(tf.reshape(dva, [batch, kvHeads, seq, d]), [0, 2, 1, 3]), [n, kvHeads * d]) as tf.Tensor2D;
          const xs = tf.mul(n1, sIn) as tf.Tensor2D;
          const dx = tf.add(tf.add(tf.matMul(dq, sq), tf.matMul(dk, sk)), tf.matMul(dv, sv)) as tf.Tensor2D;
          const norm = rmsBackward(dx, n1, r1, sIn);
          return {
            dWo,
            dWq: weightGrad(dq, xs),
            dWk: weightGrad(dk, xs),
            dWv: weightGrad(dv, xs),
            biases: hasBias ? [columnSums(dq), columnSums(dk), columnSums(dv)] : [],
            dIn: norm.dw,
            dh: tf.add(dh1, norm.dx) as tf.Tensor2D,
          };
        });
        mlp.dh1.dispose();
        // Same order as the inputs: h, inputNorm, q, k, v, o, postNorm, gate, up, down, (q/k/v bias).
        return [attn.dh, attn.dIn, attn.dWq, attn.dWk, attn.dWv, attn.dWo, mlp.dPost, mlp.dWg, mlp.dWu, mlp.dWd, ...attn.biases];
      },
    };
  });
  return op(...inputs) as tf.Tensor2D;
}
