// Greedy completion with the tfjs model and its KV cache: what evaluation and synthetic
// preference pairs ask of a model that has not been exported to GGUF yet. The prompt goes in
// once (prefill), then one token per step; it stops where the completion context's stop rule
// says (core/completion: the line's end in line mode, the block's in block mode), at any
// special token (<|endoftext|>, FIM markers), or after maxNewTokens.
import * as tf from "@tensorflow/tfjs-core";
import type { Qwen2Model } from "../model";

export interface GreedyOptions {
  maxNewTokens: number;
  /** Token ids that end the completion (all special tokens). */
  stopIds: ReadonlySet<number>;
  /** Called with the decoded text after each token; true ends generation there. */
  shouldStop?: (textSoFar: string) => boolean;
  signal?: AbortSignal;
}

export interface GreedyResult {
  text: string;
  ids: number[];
  latencyMs: number;
}

export function argmaxLast(logits: tf.Tensor3D): number {
  return tf.tidy(() => {
    const [, t, v] = logits.shape;
    const last = tf.slice(logits, [0, t - 1, 0], [1, 1, v]);
    return tf.argMax(tf.reshape(last, [v])).dataSync()[0]!;
  });
}

export function greedyComplete(model: Qwen2Model, decode: (ids: number[]) => string, promptIds: readonly number[], options: GreedyOptions): GreedyResult {
  const started = performance.now();
  const cache = model.newCache();
  const ids: number[] = [];
  const context = model.config.max_position_embeddings;
  let text = "";
  try {
    let input = Int32Array.from(promptIds);
    for (let step = 0; step < options.maxNewTokens && cache.length + input.length <= context; step++) {
      if (options.signal?.aborted) break;
      const logits = model.decode({ batchSize: 1, seqLen: input.length, inputIds: input }, cache);
      const next = argmaxLast(logits);
      logits.dispose();
      if (options.stopIds.has(next)) break;
      ids.push(next);
      text = decode(ids);
      if (options.shouldStop?.(text)) break;
      input = Int32Array.of(next);
    }
  } finally {
    model.disposeCache(cache);
  }
  return { text, ids, latencyMs: performance.now() - started };
}
