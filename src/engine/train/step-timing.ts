// One micro-batch's forward and backward, timed: what a run's plan estimates each stage from,
// and what a time budget cuts a stage's steps by. The first run of a shape also pays one-time
// costs (kernel set-up, packed weights), so a single timing errs long, never short.
import * as tf from "@tensorflow/tfjs-core";
import { LmRows } from "../data/lm-rows";
import { lmLoss } from "../loss-fns";
import { openModel, type ModelSource } from "../model-store/model-source";
import { Qwen2Model, type Qwen2Config } from "../model";
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

/**
 * A next-token micro-batch of `rows` x `seqLen` random tokens through the model a stage would
 * start from (a fresh model of a preset's shape, or a base with its adapters), timed; the model
 * is gone afterwards. For a plan made before the stage has data (or a tokenizer).
 */
export function timeLmStep(source: ModelSource | { config: Qwen2Config }, rows: number, seqLen: number, seed: number): StepTiming & { trainable: number } {
  const model = "config" in source ? Qwen2Model.create(source.config, { seed }) : openModel(source).model;
  const config = model.config;
  try {
    const len = Math.min(seqLen, config.max_position_embeddings);
    let x = seed >>> 0 || 1;
    const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % config.vocab_size);
    const data = new LmRows(Array.from({ length: rows }, () => ({ ids: Array.from({ length: len }, next), completionStart: 0 })), len, 0);
    const params = model.trainableVariables();
    const trainable = [...params.values()].reduce((n, v) => n + v.size, 0);
    return { ...timeFirstBatch(params, data, lmLoss(model), rows, seed), trainable };
  } finally {
    model.dispose();
  }
}
