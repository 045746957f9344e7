// Preference pairs as training batches: each micro-batch holds B chosen rows then B rejected
// rows of the same prompts (one forward pass for both), padded to the batch's longest row.
import type { PreferencePair } from "../../core/feedback/feedback-types";
import type { LmBatch } from "../model";
import type { DataSource, MicroBatch } from "../train";
import { encodeSharedPrompt, type PromptCompletionRow, type TextTokenizer } from "../../core/examples/encode-examples";
import { completionBatch } from "../inference/score";

export interface EncodedPair {
  chosen: PromptCompletionRow;
  rejected: PromptCompletionRow;
  /** Reference model's log-probs (DPO), filled in before training. */
  refChosen?: number;
  refRejected?: number;
  /** PreferencePair.weight: 1 unless the pair came from a partial accept. */
  weight: number;
}

export interface PairMicroBatch extends MicroBatch {
  /** 2B rows: chosen 0..B-1, rejected B..2B-1. */
  lm: LmBatch;
  pairs: number;
  refChosen: Float32Array;
  refRejected: Float32Array;
  /** Each pair's weight, and their sum (what the micro-batch counts for when steps accumulate). */
  weights: Float32Array;
  weightSum: number;
  /** The token rows themselves (the reward model reads each row's last token). */
  rows: { chosen: PromptCompletionRow[]; rejected: PromptCompletionRow[] };
}

export function encodePairs(tok: TextTokenizer, pairs: readonly PreferencePair[], seqLen: number): EncodedPair[] {
  const out: EncodedPair[] = [];
  for (const p of pairs) {
    const rows = encodeSharedPrompt(tok, p.prompt, [p.chosen, p.rejected], seqLen);
    if (!rows) continue;
    const [chosen, rejected] = rows as [PromptCompletionRow, PromptCompletionRow];
    // Identical token rows teach nothing (DPO's gradient is exactly zero there).
    if (chosen.ids.length === rejected.ids.length && chosen.ids.every((t, i) => t === rejected.ids[i])) continue;
    out.push({ chosen, rejected, weight: pairWeight(p) });
  }
  return out;
}

/** A pair's weight as stored, clamped into (0, 1]: anything else written by hand counts fully. */
export function pairWeight(p: PreferencePair): number {
  const w = p.weight;
  return typeof w === "number" && w > 0 && w <= 1 ? w : 1;
}

export class PairRows implements DataSource<PairMicroBatch> {
  constructor(
    readonly pairs: readonly EncodedPair[],
    readonly padId: number,
  ) {}

  get size(): number {
    return this.pairs.length;
  }

  batch(indices: readonly number[]): PairMicroBatch {
    const picked = indices.map((i) => this.pairs[i]!);
    const lm = completionBatch([...picked.map((p) => p.chosen), ...picked.map((p) => p.rejected)], this.padId);
    const weights = Float32Array.from(picked, (p) => p.weight);
    return {
      weights,
      weightSum: weights.reduce((a, w) => a + w, 0),
      lm,
      pairs: picked.length,
      refChosen: Float32Array.from(picked, (p) => p.refChosen ?? 0),
      refRejected: Float32Array.from(picked, (p) => p.refRejected ?? 0),
      tokens: lm.batchSize * lm.seqLen,
      rows: { chosen: picked.map((p) => p.chosen), rejected: picked.map((p) => p.rejected) },
    };
  }
}
