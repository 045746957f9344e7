// A model small enough for finite differences: logits_t = tanh(E[x_t] + 0.5 E[x_{t-1}]) W + b,
// reward = tanh(h_last) . v. It is not the Qwen2 model: the gradient checks are about the
// objectives, and a smooth model with every parameter in the path is all they need.
import * as tf from "@tensorflow/tfjs-core";
import { randn, seeded } from "./helpers";

export interface TinyModel {
  vocab: number;
  params: tf.Variable[];
  /** tokens [B, T] -> hidden [B, T, D] */
  hidden(tokens: number[][]): tf.Tensor3D;
  /** tokens [B, T] -> logits [B, T, V] */
  logits(tokens: number[][]): tf.Tensor3D;
  /** tokens [B, T] -> scalar reward per sequence [B] (from the last position). */
  reward(tokens: number[][]): tf.Tensor1D;
  dispose(): void;
}

let instances = 0;

export function tinyModel(seed: number, vocab = 7, dim = 5): TinyModel {
  const rand = seeded(seed);
  const id = `${seed}-${instances++}`; // tfjs variable names must be unique while alive
  const e = tf.variable(tf.tensor2d(randn(rand, vocab * dim, 0.8), [vocab, dim]), true, `tiny-E-${id}`);
  const w = tf.variable(tf.tensor2d(randn(rand, dim * vocab, 0.8), [dim, vocab]), true, `tiny-W-${id}`);
  const b = tf.variable(tf.tensor1d(randn(rand, vocab, 0.3)), true, `tiny-b-${id}`);
  const v = tf.variable(tf.tensor1d(randn(rand, dim, 0.8)), true, `tiny-v-${id}`);
  const hidden = (tokens: number[][]): tf.Tensor3D =>
    tf.tidy(() => {
      const bsz = tokens.length;
      const t = tokens[0]!.length;
      const prev = tokens.map((row) => [row[0]!, ...row.slice(0, -1)]);
      const embed = (ids: number[][]) => tf.matMul(tf.oneHot(tf.tensor1d(ids.flat(), "int32"), vocab) as tf.Tensor2D, e);
      const h = tf.tanh(tf.add(embed(tokens), tf.mul(embed(prev), 0.5)));
      return tf.reshape(h, [bsz, t, dim]) as tf.Tensor3D;
    });
  return {
    vocab,
    params: [e, w, b, v],
    hidden,
    logits: (tokens) =>
      tf.tidy(() => {
        const h = hidden(tokens);
        const [bsz, t] = h.shape;
        return tf.reshape(tf.add(tf.matMul(tf.reshape(h, [bsz * t, dim]), w), b), [bsz, t, vocab]) as tf.Tensor3D;
      }),
    reward: (tokens) =>
      tf.tidy(() => {
        const h = hidden(tokens);
        const [bsz, t] = h.shape;
        const last = tf.reshape(tf.slice(h, [0, t - 1, 0], [bsz, 1, dim]), [bsz, dim]);
        return tf.sum(tf.mul(last, v), -1) as tf.Tensor1D;
      }),
    dispose: () => tf.dispose([e, w, b, v]),
  };
}

/**
 * Compares tf's gradient of `loss` with central differences on a few entries of every
 * parameter. Returns the worst (analytic, numeric) pair for a useful failure message.
 */
export function checkGradients(
  model: TinyModel,
  loss: () => tf.Scalar,
  options: { eps?: number; entries?: number; abs?: number; rel?: number } = {},
): { checked: number; failures: string[]; maxAbsGrad: number } {
  const eps = options.eps ?? 5e-3;
  const entries = options.entries ?? 6;
  const abs = options.abs ?? 1e-3;
  const rel = options.rel ?? 1e-2;
  const { grads, value } = tf.variableGrads(loss, model.params);
  value.dispose();
  const failures: string[] = [];
  let checked = 0;
  let maxAbsGrad = 0;
  const pick = seeded(99);
  for (const p of model.params) {
    // variableGrads leaves out parameters the loss does not reach (the reward head in an LM loss).
    const analytic = grads[p.name]?.dataSync() ?? new Float32Array(p.size);
    const base = p.dataSync().slice();
    for (let n = 0; n < entries; n++) {
      const i = Math.floor(pick() * base.length);
      const at = (delta: number): number => {
        const moved = base.slice();
        moved[i] = base[i]! + delta;
        tf.tidy(() => p.assign(tf.tensor(moved, p.shape)));
        return tf.tidy(() => loss().dataSync()[0]!);
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      tf.tidy(() => p.assign(tf.tensor(base, p.shape)));
      const a = analytic[i]!;
      maxAbsGrad = Math.max(maxAbsGrad, Math.abs(a));
      checked++;
      if (Math.abs(a - numeric) > abs + rel * Math.abs(numeric)) failures.push(`${p.name}[${i}]: analytic ${a}, numeric ${numeric}`);
    }
  }
  tf.dispose(Object.values(grads));
  return { checked, failures, maxAbsGrad };
}
