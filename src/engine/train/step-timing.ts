// One micro-batch's forward and backward, timed: what a time budget cuts a stage's steps by
// (and, through time-lm-step.ts, what a run's plan estimates each stage from). The first run of a shape also pays one-time
// costs (kernel set-up, packed weights), so a single timing errs long, never short.
import * as tf from "@tensorflow/tfjs-core";
import type { DataSource, LossFn, MicroBatch } from "./types";

export interface StepTiming {
  /** Seconds of one micro-batch's forward and backward. */
  microSec: number;
  /** Tokens per second of that micro-batch. */
  tokensPerSec: number;
}

/** Times `batch` through `lossFn` and its gradients with respect to `params`. */
export function timeMicroBatch<B extends MicroBatch>(params: ReadonlyMap<string, tf.Variable>, batch: B, lossFn: LossFn<B>, seed: number): StepTiming {
  const started = performance.now();
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const out = lossFn(batch, { step: 0, micro: 0, seed });
      return out instanceof tf.Tensor ? out : out.loss;
    }, [...params.values()]);
    // Reading the loss waits for a GPU backend to finish the work being timed.
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  });
  const microSec = (performance.now() - started) / 1000;
  return { microSec, tokensPerSec: batch.tokens / microSec };
}

/** The first `rows` of a data source as one micro-batch, timed. */
export function timeFirstBatch<B extends MicroBatch>(params: ReadonlyMap<string, tf.Variable>, data: DataSource<B>, lossFn: LossFn<B>, rows: number, seed: number): StepTiming {
  const batch = data.batch(Array.from({ length: Math.min(rows, data.size) }, (_, i) => i));
  try {
    return timeMicroBatch(params, batch, lossFn, seed);
  } finally {
    batch.dispose?.();
  }
}
