// The serving filter's threshold, chosen on held-out scored items (the reward model's score of
// a shown completion, and whether it was accepted): completions scoring below it are held
// back. "balanced" keeps the threshold of the best F1 of "accepted"; "strict" the lowest
// threshold whose shown completions are accepted at least 80% of the time (fewest held back
// for that precision). Both are plain functions of the items, so the evaluation computes them
// once and the server only compares a number.
import type { ScoredItem } from "./auc";

export type FilterMode = "off" | "balanced" | "strict";
export const FILTER_MODES: readonly FilterMode[] = ["off", "balanced", "strict"];

/** Accept-precision the strict filter aims at. */
export const STRICT_PRECISION = 0.8;

export interface ThresholdChoice {
  /** Show a completion when its score is >= this. */
  threshold: number;
  /** On the held-out items: the share of shown ones accepted, the share of accepted ones shown, the share held back. */
  precision: number;
  recall: number;
  heldBackShare: number;
}

/** Every cut "show when score >= items[i].score" (at distinct scores), with its figures. */
function cuts(items: readonly ScoredItem[]): ThresholdChoice[] {
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const positives = sorted.filter((i) => i.accepted).length;
  const out: ThresholdChoice[] = [];
  let shownPos = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i]!.accepted) shownPos++;
    // Only cut after the last of a tie group: equal scores are shown or held back together.
    if (i + 1 < sorted.length && sorted[i + 1]!.score === sorted[i]!.score) continue;
    const shown = i + 1;
    out.push({ threshold: sorted[i]!.score, precision: shownPos / shown, recall: positives ? shownPos / positives : 0, heldBackShare: 1 - shown / sorted.length });
  }
  return out;
}

/**
 * The threshold for `mode` on these items, or null when it cannot be chosen: no items, no
 * accepted one, or (strict) no cut reaching the precision. "off" is always null.
 */
export function chooseThreshold(items: readonly ScoredItem[], mode: FilterMode): ThresholdChoice | null {
  if (mode === "off" || !items.some((i) => i.accepted)) return null;
  const all = cuts(items);
  if (mode === "strict") {
    // Lowest threshold (most shown) that still meets the precision.
    const ok = all.filter((c) => c.precision >= STRICT_PRECISION);
    return ok.length ? ok[ok.length - 1]! : null;
  }
  let best: ThresholdChoice | null = null;
  let bestF1 = -1;
  for (const c of all) {
    const f1 = c.precision + c.recall > 0 ? (2 * c.precision * c.recall) / (c.precision + c.recall) : 0;
    // Ties in F1: the lower threshold (more shown) wins, as "later" in the sweep.
    if (f1 >= bestF1) {
      bestF1 = f1;
      best = c;
    }
  }
  return best;
}

/** The file next to a reward model that holds the serving filter's thresholds (pipeline/evaluation/reward-filter.ts writes it). */
export const FILTER_FILE = "filter.json";
