// One optimizer step: forward and backward over each micro-batch, gradients accumulated with
// each micro-batch weighted by its item count (so accumulation equals one big batch, as
// transformers does with num_items_in_batch), clipped by global norm, then AdamW. A step whose
// loss or gradient norm is not finite is skipped rather than allowed to wreck every weight.
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core alone registers no gradients (the @tensorflow/tfjs umbrella does): training needs them.
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import type { AdamW } from "../optim/adamw";
import { clipGradNorm, globalNorm } from "../optim/clip-grad-norm";
import { dropoutSeed } from "./seeds";
import type { GradientSource, LossFn, LossOutput, MicroBatch, Reseedable } from "./types";

export interface StepInputs<B extends MicroBatch> {
  params: ReadonlyMap<string, tf.Variable>;
  optimizer: AdamW;
  lossFn: LossFn<B>;
  microBatches: readonly B[];
  /** Index of this optimizer step (0 = first): seeds dropout. */
  step: number;
  lr: number;
  /** Clip the global gradient norm to this (torch's clip_grad_norm_); null: no clipping. */
  maxGradNorm: number | null;
  seed: number;
  seeded?: readonly Reseedable[];
  /** Computes micro-batches elsewhere (data-parallel replicas) instead of lossFn on this thread. */
  gradients?: GradientSource<B>;
}

export interface StepResult {
  /** Mean loss over the step's items (all micro-batches). */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  lr: number;
  tokens: number;
  /** Items the loss averaged over (tokens, pairs...). */
  items: number;
  metrics: Record<string, number>;
  /** True when the loss or gradient was not finite and the weights were left as they were. */
  skipped: boolean;
}

function asOutput(r: tf.Scalar | LossOutput): LossOutput {
  return r instanceof tf.Tensor ? { loss: r } : r;
}

/** Runs one step, disposing the micro-batches. Creates no tensor that outlives it. */
export async function trainStep<B extends MicroBatch>(inputs: StepInputs<B>): Promise<StepResult> {
  const { params, optimizer, lossFn, microBatches, step, lr, maxGradNorm, seed } = inputs;
  if (microBatches.length === 0) throw new Error("trainStep: no micro-batches");
  const names = [...params.keys()];
  const vars = names.map((n) => params.get(n) as tf.Variable);
  const nameOf = new Map(vars.map((v, i) => [v.name, names[i] as string]));

  let acc: Map<string, tf.Tensor> | undefined;
  let weightSum: tf.Scalar = tf.scalar(0);
  let lossSum: tf.Scalar = tf.scalar(0);
  const metricSums = new Map<string, tf.Scalar>();
  let tokens = 0;
  const single = microBatches.length === 1;
  let consumed = 0;

  try {
    for (let micro = 0; micro < microBatches.length; micro++) {
      const batch = microBatches[micro] as B;
      const microSeed = dropoutSeed(seed, step, micro);
      for (const s of inputs.seeded ?? []) s.reseed(microSeed);
      let weight: tf.Scalar | undefined;
      let metrics: Record<string, tf.Scalar> = {};
      let value: tf.Scalar;
      // Gradients by parameter name; a frozen variable (trainable = false) has none, as in torch.
      let byName: [string, tf.Tensor][];
      const external = inputs.gradients ? await inputs.gradients(batch) : null;
      if (external) {
        value = tf.scalar(external.loss);
        weight = tf.scalar(external.weight);
        byName = [...external.grads].filter(([name]) => params.has(name));
        for (const [name, g] of external.grads) if (!params.has(name)) g.dispose();
      } else {
        const taped = tf.variableGrads(() => {
          const out = asOutput(lossFn(batch, { step, micro, seed: microSeed }));
          // Tensors other than the loss die with the tape's scope unless kept.
          weight = tf.keep(typeof out.weight === "number" || out.weight === undefined ? tf.scalar(out.weight ?? 1) : out.weight);
          metrics = Object.fromEntries(Object.entries(out.metrics ?? {}).map(([k, t]) => [k, tf.keep(t)]));
          return out.loss;
        }, vars);
        value = taped.value;
        byName = Object.entries(taped.grads).flatMap(([varName, g]) => (g ? [[nameOf.get(varName) as string, g] as [string, tf.Tensor]] : []));
      }
      tokens += batch.tokens;
      batch.dispose?.();
      consumed = micro + 1;
      const w = weight as tf.Scalar;
      const next = new Map<string, tf.Tensor>();
      for (const [name, g] of byName) {
        const prev = acc?.get(name);
        // One micro-batch: no weighting needed, which saves two passes over every gradient.
        next.set(name, single ? g : tf.tidy(() => (prev ? tf.add(prev, tf.mul(g, w)) : tf.mul(g, w))));
        if (!single) g.dispose();
        prev?.dispose();
      }
      acc = next;
      const [newLoss, newWeight] = tf.tidy(() => [tf.add(lossSum, tf.mul(value, w)), tf.add(weightSum, w)]) as [tf.Scalar, tf.Scalar];
      for (const [k, m] of Object.entries(metrics)) {
        const prev = metricSums.get(k);
        metricSums.set(k, tf.tidy(() => (prev ? tf.add(prev, tf.mul(m, w)) : tf.mul(m, w))));
        prev?.dispose();
      }
      tf.dispose([value, lossSum, weightSum, w, ...Object.values(metrics)]);
      lossSum = newLoss;
      weightSum = newWeight;
    }

    let grads = acc ?? new Map<string, tf.Tensor>();
    if (!single) {
      const mean = new Map<string, tf.Tensor>();
      // Items in the whole step; 0 (nothing to learn from) leaves gradients at 0, not NaN.
      const denom = tf.tidy(() => tf.maximum(weightSum, 1e-12));
      for (const [name, g] of grads) mean.set(name, tf.div(g, denom));
      tf.dispose([...grads.values(), denom]);
      grads = mean;
    }
    acc = grads;

    let norm: tf.Scalar;
    if (maxGradNorm !== null) {
      const clipped = clipGradNorm(grads, maxGradNorm);
      tf.dispose([...grads.values()]);
      acc = grads = clipped.grads;
      norm = clipped.norm;
    } else {
      norm = globalNorm(grads.values());
    }
    const [lossValue, normValue, items, ...metricValues] = await readScalars([
      tf.tidy(() => tf.div(lossSum, tf.maximum(weightSum, 1e-12))),
      norm,
      weightSum,
      ...[...metricSums.values()].map((m) => tf.tidy(() => tf.div(m, tf.maximum(weightSum, 1e-12)))),
    ]);
    const skipped = !Number.isFinite(lossValue) || !Number.isFinite(normValue);
    if (!skipped) optimizer.apply(grads, lr);
    const metrics = Object.fromEntries([...metricSums.keys()].map((k, i) => [k, metricValues[i] as number]));
    return { loss: lossValue as number, gradNorm: normValue as number, lr, tokens, items: items as number, metrics, skipped };
  } finally {
    // After an error, the micro-batches not reached still hold their tensors.
    for (const b of microBatches.slice(consumed)) b.dispose?.();
    tf.dispose([...(acc?.values() ?? []), lossSum, weightSum, ...metricSums.values()]);
  }
}

/** Reads scalars to numbers and disposes them (the caller's tensors must not be in the list twice). */
async function readScalars(ts: tf.Tensor[]): Promise<number[]> {
  const unique = [...new Set(ts)];
  const values = await Promise.all(unique.map(async (t) => (await t.data())[0] as number));
  const byTensor = new Map(unique.map((t, i) => [t, values[i] as number]));
  tf.dispose(unique);
  return ts.map((t) => byTensor.get(t) as number);
}
