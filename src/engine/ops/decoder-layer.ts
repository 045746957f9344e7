// One whole Qwen2 decoder layer as a single differentiable op, with its backward pass written
// out by hand as llm.c does. tfjs's autodiff keeps the gradient of every intermediate tensor
// until the whole backward pass ends (tape.ts never frees them), so memory grew with every
// op of every layer; here the tape holds one node per layer, the backward of a layer frees
// its temporaries before the next layer's starts, and what is saved for it is only:
// the norms' normalised inputs and scales, q/k/v in attention layout, the attention
// probabilities, the attention output, and the MLP's gate and up projections. The norms'
// outputs and silu(gate)*up are recomputed (one multiply each) instead of kept.
//
// With LoRA (lora given), the base is frozen: its weights are not inputs of the op and get no
// gradient (no dW of the base is computed: most of a full backward's products), and each
// adapted projection adds s * (x m) A^T B^T, m the adapter's dropout multiplier; only h and
// the factors A, B are differentiated. What LoRA saves more is x m A^T [N, r] per adapter.
// Decoding runs the op-by-op layer in qwen2.ts. Gradients agree with the op-by-op path and
// with PyTorch (test/unit/engine/model/parity.test.ts, test/unit/engine/lora/fused-lora.test.ts).
import * as tf from "@tensorflow/tfjs-core";
import { attentionBackward, attentionForward } from "./attention";
import { customOp } from "./custom-op";
import { forwardProduct, frozenInputGrad, weightGrad } from "./linear";
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

/** The projections an adapter can sit on, in the order their factors are the op's inputs. */
export const LORA_PROJECTIONS = ["q", "k", "v", "o", "gate", "up", "down"] as const;
export type LoraProjection = (typeof LORA_PROJECTIONS)[number];

/**
 * One projection's adapter: A [r, in], B [out, r], and the dropout on its input (null: none),
 * as the rate and seed of tf.dropout's draw: the multiplier is drawn in the forward and drawn
 * again in the backward rather than kept (kept, a 0.5B base's 168 masks of a 256-token row
 * are 250 MB the wasm heap does not have).
 */
export interface ProjectionLora {
  a: tf.Tensor2D;
  b: tf.Tensor2D;
  dropout: { rate: number; seed: number } | null;
}

/** tf.dropout's multiplier (0 or 1 / (1 - rate)) for an input of this shape and seed: the same draw as tf.dropout(x, rate, undefined, seed). */
function dropoutMask(d: ProjectionLora["dropout"], shape: [number, number]): tf.Tensor2D | null {
  return d ? tf.tidy(() => tf.dropout(tf.ones(shape), d.rate, undefined, d.seed) as tf.Tensor2D) : null;
}

export interface LayerLora {
  /** alpha / r (or alpha / sqrt(r)). */
  scaling: number;
  adapters: Partial<Record<LoraProjection, ProjectionLora>>;
}

function project(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const y = forwardProduct(x, w);
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

/** An adapter's forward: its update s * (x m A^T) B^T, and x m A^T (kept for B's gradient). */
function adapterForward(x: tf.Tensor2D, a: tf.Tensor2D, b: tf.Tensor2D, mask: tf.Tensor2D | null, scaling: number): { delta: tf.Tensor2D; xa: tf.Tensor2D } {
  const xm = mask ? (tf.mul(x, mask) as tf.Tensor2D) : x;
  const xa = forwardProduct(xm, a);
  return { delta: tf.mul(forwardProduct(xa, b), scaling) as tf.Tensor2D, xa };
}

/**
 * An adapter's backward given dy [N, out] and its input x: the factors' gradients
 * dA = s (dy B)^T (x m), dB = s dy^T (x m A^T), and its share of dx, s ((dy B) A) m.
 */
function adapterBackward(dy: tf.Tensor2D, x: tf.Tensor2D, a: tf.Tensor2D, b: tf.Tensor2D, xa: tf.Tensor2D, mask: tf.Tensor2D | null, scaling: number): { dA: tf.Tensor2D; dB: tf.Tensor2D; dx: tf.Tensor2D } {
  const dyB = tf.mul(tf.matMul(dy, b), scaling) as tf.Tensor2D;
  const xm = mask ? (tf.mul(x, mask) as tf.Tensor2D) : x;
  const dxm = tf.matMul(dyB, a) as tf.Tensor2D;
  return {
    dA: weightGrad(dyB, xm),
    dB: tf.mul(weightGrad(dy, xa), scaling) as tf.Tensor2D,
    dx: mask ? (tf.mul(dxm, mask) as tf.Tensor2D) : dxm,
  };
}

/**
 * h [B*T, hidden] -> the layer's output, differentiable in h and every parameter. cos and
 * sinSigned are the rotary tables for these positions ([T, 1, D]); maskBias as in
 * groupedAttention.
 */
export function decoderLayer(h: tf.Tensor2D, p: LayerParams, cos: tf.Tensor3D, sinSigned: tf.Tensor3D, maskBias: tf.Tensor4D | null, s: LayerShape, lora?: LayerLora): tf.Tensor2D {
  const { batch, seq, heads, kvHeads, headDim: d, eps } = s;
  const groups = heads / kvHeads;
  const n = batch * seq;
  const scale = 1 / Math.sqrt(d);
  const hasBias = p.qBias !== undefined;
  const adapted = lora ? LORA_PROJECTIONS.filter((k) => lora.adapters[k]) : [];
  // With LoRA the frozen base is read from p, not differentiated: the inputs are h and the factors.
  const inputs = lora ? [h, ...adapted.flatMap((k) => [lora.adapters[k]!.a, lora.adapters[k]!.b])] : [h, ...ORDER.filter((k) => p[k] !== undefined).map((k) => p[k]!)];

  const op = customOp((ins, save) => {
    const [hi, wIn, wq, wk, wv, wo, wPost, wg, wu, wd, bq, bk, bv] = (lora ? [ins[0], p.inputNorm, p.q, p.k, p.v, p.o, p.postNorm, p.gate, p.up, p.down, p.qBias, p.kBias, p.vBias] : ins) as [
      tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D,
      tf.Tensor1D | undefined, tf.Tensor1D | undefined, tf.Tensor1D | undefined,
    ];
    // Each adapted projection's x m A^T, saved for B's gradient, in `adapted` order.
    const xas: tf.Tensor2D[] = [];
    const withAdapter = (which: LoraProjection, x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D => {
      const ad = lora?.adapters[which];
      if (!ad) return y;
      const at = adapted.indexOf(which);
      const mask = dropoutMask(ad.dropout, x.shape);
      const f = adapterForward(x, ins[1 + 2 * at] as tf.Tensor2D, ins[2 + 2 * at] as tf.Tensor2D, mask, lora!.scaling);
      mask?.dispose();
      xas.push(f.xa);
      return tf.add(y, f.delta) as tf.Tensor2D;
    };
    // Attention block.
    const norm1 = rmsForward(hi, eps);
    const x = tf.mul(norm1.n, wIn) as tf.Tensor2D;
    const q = tf.mul(withAdapter("q", x, project(x, wq, bq)), scale);
    const k = withAdapter("k", x, project(x, wk, bk));
    const v = withAdapter("v", x, project(x, wv, bv));
    const qa = tf.reshape(tf.transpose(ropeForward(tf.reshape(q, [batch, seq, heads, d]), cos, sinSigned), [0, 2, 1, 3]), [batch * kvHeads, groups * seq, d]) as tf.Tensor3D;
    const ka = tf.reshape(tf.transpose(ropeForward(tf.reshape(k, [batch, seq, kvHeads, d]), cos, sinSigned), [0, 2, 1, 3]), [batch * kvHeads, seq, d]) as tf.Tensor3D;
    const va = tf.reshape(tf.transpose(tf.reshape(v, [batch, seq, kvHeads, d]), [0, 2, 1, 3]), [batch * kvHeads, seq, d]) as tf.Tensor3D;
    const att = attentionForward(qa, ka, va, maskBias, batch, groups);
    const o2 = tf.reshape(tf.transpose(tf.reshape(att.out, [batch, heads, seq, d]), [0, 2, 1, 3]), [n, heads * d]) as tf.Tensor2D;
    const h1 = tf.add(hi, withAdapter("o", o2, forwardProduct(o2, wo))) as tf.Tensor2D;
    // MLP block.
    const norm2 = rmsForward(h1, eps);
    const x2 = tf.mul(norm2.n, wPost) as tf.Tensor2D;
    const g = withAdapter("gate", x2, forwardProduct(x2, wg));
    const u = withAdapter("up", x2, forwardProduct(x2, wu));
    const act = tf.mul(tf.mul(g, tf.sigmoid(g)), u) as tf.Tensor2D;
    const value = tf.add(h1, withAdapter("down", act, forwardProduct(act, wd)));
    // Frozen weights are saved too: the backward needs them whether or not they are inputs.
    save([norm1.n, norm1.r, wIn, wq, wk, wv, qa, ka, va, att.probs, o2, wo, norm2.n, norm2.r, wPost, wg, wu, wd, g, u, cos, sinSigned, ...ins.slice(1, 1 + 2 * adapted.length), ...xas]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [n1, r1, sIn, sq, sk, sv, sqa, ska, sva, probs, so2, so, n2, r2, sPost, sg, su, sd, gs, us, c, sn] = saved as [
          tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D,
          tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D,
          tf.Tensor3D, tf.Tensor3D,
        ];
        const savedFactors = saved.slice(22, 22 + 2 * adapted.length) as tf.Tensor2D[];
        const savedXa = saved.slice(22 + 2 * adapted.length, 22 + 3 * adapted.length) as tf.Tensor2D[];
        // Factor gradients by projection, filled as the backward reaches each adapter.
        const factorGrads = new Map<LoraProjection, [tf.Tensor2D, tf.Tensor2D]>();
        /** dx of projection `which` at input x: dy W, plus the adapter's share when it has one. */
        const inputGrad = (which: LoraProjection, dyP: tf.Tensor2D, x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D => {
          // A frozen base weight must not be a product's right-hand operand (see frozenInputGrad).
          const base = lora ? frozenInputGrad(dyP, w) : (tf.matMul(dyP, w) as tf.Tensor2D);
          const at = adapted.indexOf(which);
          if (at < 0) return base;
          const mask = dropoutMask(lora!.adapters[which]!.dropout, x.shape);
          const g = adapterBackward(dyP, x, savedFactors[2 * at]!, savedFactors[2 * at + 1]!, savedXa[at]!, mask, lora!.scaling);
          mask?.dispose();
          factorGrads.set(which, [tf.keep(g.dA), tf.keep(g.dB)]);
          return tf.add(base, g.dx) as tf.Tensor2D;
        };
        const dOut = dy as tf.Tensor2D;
        // MLP: out = h1 + act Wd^T, act = silu(g) * u, g = x2 Wg^T, u = x2 Wu^T, x2 = n2 * wPost.
        const mlp = tf.tidy(() => {
          const actS = tf.mul(tf.mul(gs, tf.sigmoid(gs)), us) as tf.Tensor2D;
          const dWd = lora ? undefined : weightGrad(dOut, actS);
          const dAct = inputGrad("down", dOut, actS, sd);
          const [dg, du] = swigluBackward(dAct, gs, us) as [tf.Tensor2D, tf.Tensor2D];
          const x2s = tf.mul(n2, sPost) as tf.Tensor2D;
          const dWg = lora ? undefined : weightGrad(dg, x2s);
          const dWu = lora ? undefined : weightGrad(du, x2s);
          const dx2 = tf.add(inputGrad("gate", dg, x2s, sg), inputGrad("up", du, x2s, su)) as tf.Tensor2D;
          const norm = rmsBackward(dx2, n2, r2, sPost);
          return { dWd, dWg, dWu, dPost: norm.dw, dh1: tf.add(dOut, norm.dx) as tf.Tensor2D };
        });
        // Attention: h1 = h + o2 Wo^T.
        const attn = tf.tidy(() => {
          const dh1 = mlp.dh1;
          const dWo = lora ? undefined : weightGrad(dh1, so2);
          const do2 = inputGrad("o", dh1, so2, so);
          const dOa = tf.reshape(tf.transpose(tf.reshape(do2, [batch, seq, heads, d]), [0, 2, 1, 3]), [batch * kvHeads, groups * seq, d]) as tf.Tensor3D;
          const [dqa, dka, dva] = attentionBackward(dOa, sqa, ska, sva, probs);
          const dq = tf.reshape(tf.mul(ropeBackward(tf.transpose(tf.reshape(dqa, [batch, heads, seq, d]), [0, 2, 1, 3]) as tf.Tensor4D, c, sn), scale), [n, heads * d]) as tf.Tensor2D;
          const dk = tf.reshape(ropeBackward(tf.transpose(tf.reshape(dka, [batch, kvHeads, seq, d]), [0, 2, 1, 3]) as tf.Tensor4D, c, sn), [n, kvHeads * d]) as tf.Tensor2D;
          const dv = tf.reshape(tf.transpose(tf.reshape(dva, [batch, kvHeads, seq, d]), [0, 2, 1, 3]), [n, kvHeads * d]) as tf.Tensor2D;
          const xs = tf.mul(n1, sIn) as tf.Tensor2D;
          const dx = tf.add(tf.add(inputGrad("q", dq, xs, sq), inputGrad("k", dk, xs, sk)), inputGrad("v", dv, xs, sv)) as tf.Tensor2D;
          const norm = rmsBackward(dx, n1, r1, sIn);
          return {
            dWo,
            dWq: lora ? undefined : weightGrad(dq, xs),
            dWk: lora ? undefined : weightGrad(dk, xs),
            dWv: lora ? undefined : weightGrad(dv, xs),
            biases: hasBias && !lora ? [columnSums(dq), columnSums(dk), columnSums(dv)] : [],
            dIn: norm.dw,
            dh: tf.add(dh1, norm.dx) as tf.Tensor2D,
          };
        });
        mlp.dh1.dispose();
        if (lora) {
          // Same order as the inputs: h, then each adapted projection's A and B.
          tf.dispose([attn.dIn, mlp.dPost]);
          return [attn.dh, ...adapted.flatMap((k) => factorGrads.get(k)!)];
        }
        // Same order as the inputs: h, inputNorm, q, k, v, o, postNorm, gate, up, down, (q/k/v bias).
        return [attn.dh, attn.dIn, attn.dWq!, attn.dWk!, attn.dWv!, attn.dWo!, mlp.dPost, mlp.dWg!, mlp.dWu!, mlp.dWd!, ...attn.biases];
      },
    };
  });
  return op(...inputs) as tf.Tensor2D;
}
