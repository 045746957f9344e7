// Log-probability of completions under a model, batched without gradients: DPO's reference
// log-probs, held-out preference accuracy, and the reward model's scores all read it.
import * as tf from "@tensorflow/tfjs-core";
import { makeLmBatch, type LmBatch, type Qwen2Model } from "../model";
import type { CompletionLogProb } from "../../core/completion/completer";
import type { PromptCompletionRow } from "../../core/examples/encode-examples";

export type { CompletionLogProb };

/** A batch padded to its longest row (scoring needs no fixed shape), loss counting the completion only. */
export function completionBatch(rows: readonly PromptCompletionRow[], padId: number): LmBatch {
  const seqLen = Math.max(1, ...rows.map((r) => r.ids.length - 1));
  return makeLmBatch(
    rows.map((r) => r.ids),
    seqLen,
    padId,
    rows.map((r) => r.completionStart),
  );
}

/** 1 where a target counts (not IGNORE_INDEX). */
export function countedMask(batch: LmBatch): Float32Array {
  return Float32Array.from(batch.targets, (t) => (t >= 0 ? 1 : 0));
}

export async function scoreCompletions(model: Qwen2Model, rows: readonly PromptCompletionRow[], padId: number, batchSize = 8): Promise<CompletionLogProb[]> {
  const out: CompletionLogProb[] = [];
  for (let i = 0; i < rows.length; i += batchSize) {
    const chunk = rows.slice(i, i + batchSize);
    const batch = completionBatch(chunk, padId);
    const mask = countedMask(batch);
    const sums = tf.tidy(() => model.sequenceLogProbs(batch, batch.targets, mask));
    const values = await sums.data();
    sums.dispose();
    chunk.forEach((_, j) => {
      let tokens = 0;
      for (let t = 0; t < batch.seqLen; t++) tokens += mask[j * batch.seqLen + t]!;
      out.push({ sum: values[j]!, tokens });
    });
    // Let a cancel message in between batches.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}
