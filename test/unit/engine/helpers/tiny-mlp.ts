// A two-layer classifier over named tf.Variables, with dropout and a per-example loss mask:
// enough to exercise the optimizer, trainer and checkpoints without the transformer.
import * as tf from "@tensorflow/tfjs-core";
import type { DataSource, LossOutput, MicroBatch, MicroStepContext } from "../../../../src/engine/train";

export const IN = 6;
export const HIDDEN = 16;
export const CLASSES = 4;

let instance = 0;

/** Fresh parameters, the same numbers for a seed (a simple LCG, independent of tfjs). */
export function makeParams(seed = 1): Map<string, tf.Variable> {
  let s = seed >>> 0;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.8;
  const shapes: [string, number[]][] = [
    ["model.layers.0.mlp.up_proj.weight", [HIDDEN, IN]],
    ["model.layers.0.mlp.up_proj.bias", [HIDDEN]],
    ["model.norm.weight", [HIDDEN]],
    ["lm_head.weight", [CLASSES, HIDDEN]],
  ];
  const id = instance++;
  return new Map(
    shapes.map(([name, shape]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const init = tf.tensor(Float32Array.from({ length: n }, () => (name.endsWith("norm.weight") ? 1 + r() * 0.1 : r())), shape);
      const v = tf.variable(init, true, `mlp${id}/${name}`);
      init.dispose();
      return [name, v];
    }),
  );
}

export interface MlpBatch extends MicroBatch {
  x: Float32Array;
  labels: Int32Array;
  mask: Float32Array;
  rows: number;
}

/** `size` examples whose label follows a fixed rule of x; mask 0 on every fifth example. */
export function makeData(size: number, masked = (i: number) => i % 5 === 4): DataSource<MlpBatch> & { labels: Int32Array } {
  const xs = Float32Array.from({ length: size * IN }, (_, i) => Math.sin(i * 1.7) + Math.cos(i * 0.3));
  const labels = Int32Array.from({ length: size }, (_, i) => {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if ((xs[i * IN + c] as number) > (xs[i * IN + best] as number)) best = c;
    return best;
  });
  return {
    size,
    labels,
    batch(indices) {
      const x = new Float32Array(indices.length * IN);
      indices.forEach((e, r) => x.set(xs.subarray(e * IN, (e + 1) * IN), r * IN));
      return {
        x,
        labels: Int32Array.from(indices, (e) => labels[e] as number),
        mask: Float32Array.from(indices, (e) => (masked(e) ? 0 : 1)),
        rows: indices.length,
        tokens: indices.length,
      };
    },
  };
}

/** Masked mean cross-entropy, weighted by the count of unmasked examples; dropout seeded per micro-batch. */
export function mlpLoss(params: ReadonlyMap<string, tf.Tensor>, dropout = 0) {
  const p = (n: string) => params.get(n) as tf.Tensor2D;
  return (b: MlpBatch, ctx: MicroStepContext): LossOutput => {
    const x = tf.tensor2d(b.x, [b.rows, IN]);
    let h = tf.relu(tf.add(tf.matMul(x, p("model.layers.0.mlp.up_proj.weight"), false, true), p("model.layers.0.mlp.up_proj.bias")));
    h = tf.mul(h, p("model.norm.weight"));
    if (dropout > 0) h = tf.dropout(h, dropout, undefined, ctx.seed);
    const logits = tf.matMul(h, p("lm_head.weight"), false, true);
    const logp = tf.logSoftmax(logits);
    const nll = tf.neg(tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(b.labels, "int32"), CLASSES)), 1));
    const count = b.mask.reduce((a, m) => a + m, 0);
    const loss = tf.div(tf.sum(tf.mul(nll, tf.tensor1d(b.mask))), Math.max(count, 1e-8)) as tf.Scalar;
    return { loss, weight: count };
  };
}

export async function snapshot(params: ReadonlyMap<string, tf.Variable>): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [n, v] of params) out.set(n, new Float32Array((await v.data()) as Float32Array));
  return out;
}
