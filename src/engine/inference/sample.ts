// Sampling with temperature from the tfjs model and its KV cache: the RL stage's on-policy
// samples. Why not llama.cpp (as the issue asks): the policy changes every step, and a GGUF
// export per step costs more than the small presets' whole decoding; for the micro/tiny/small
// models the engine's own decoding is fast enough. Unlike greedy.ts the stop token is kept:
// ending the line is an action the policy takes, and its log-prob must be trained with it.
import * as tf from "@tensorflow/tfjs-core";
import type { Qwen2Model } from "../model";

export interface SampleOptions {
  maxNewTokens: number;
  temperature: number;
  /** Token ids that end the sample (kept as its last token). */
  stopIds: ReadonlySet<number>;
  /** Called with the ids so far; true ends the sample after that token (a newline in line mode). */
  shouldStop?: (ids: readonly number[]) => boolean;
  /** Uniform [0, 1) numbers, seeded by the caller so a step's samples can be redrawn. */
  random: () => number;
}

/** Draws one id from softmax(logits / T) by inverse CDF. */
export function sampleFromLogits(logits: Float32Array | number[], temperature: number, u: number): number {
  if (!(temperature > 0)) throw new Error(`temperature must be positive, got ${temperature}`);
  let max = -Infinity;
  for (const l of logits) if (l > max) max = l;
  let total = 0;
  const p = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) total += p[i] = Math.exp((logits[i]! - max) / temperature);
  let acc = 0;
  const target = u * total;
  for (let i = 0; i < p.length; i++) {
    acc += p[i]!;
    if (acc > target) return i;
  }
  return p.length - 1;
}

/** Sampled completion ids of one prompt (at least one token when the context has room). */
export function sampleIds(model: Qwen2Model, promptIds: readonly number[], options: SampleOptions): number[] {
  const cache = model.newCache();
  const ids: number[] = [];
  const context = model.config.max_position_embeddings;
  try {
    let input = Int32Array.from(promptIds);
    for (let step = 0; step < options.maxNewTokens && cache.length + input.length <= context; step++) {
      const logits = model.decode({ batchSize: 1, seqLen: input.length, inputIds: input }, cache);
      const last = tf.tidy(() => {
        const [, t, v] = logits.shape;
        return tf.reshape(tf.slice(logits, [0, t - 1, 0], [1, 1, v]), [v]).dataSync() as Float32Array;
      });
      logits.dispose();
      const next = sampleFromLogits(last, options.temperature, options.random());
      ids.push(next);
      if (options.stopIds.has(next) || options.shouldStop?.(ids)) break;
      input = Int32Array.of(next);
    }
  } finally {
    model.disposeCache(cache);
  }
  return ids;
}
