// Line-completion metrics as CodeXGLUE's code-completion-line evaluator computes them, so the
// numbers in report.md read like the ones in papers:
//   exact match:     pred.split() == truth.split()   (Python's whitespace split: spacing ignored)
//   edit similarity: fuzz.ratio(pred, truth)         (0-100; rapidfuzz's Indel-normalised ratio,
//                    2 * LCS / (len(a) + len(b)), i.e. Levenshtein with substitution cost 2)
//   accepted characters: the share of the truth's characters a user would take by accepting
//                    the suggestion up to its first wrong character (the longest correct
//                    prefix over the truth's length), the figure closest to partial accepts.
// Both sides are stripped first, as the evaluator strips the prediction; lengths count code
// points as Python does, not UTF-16 units.
import type { PreferencePair } from "../store/dataset-files";
import type { CompletionScorer } from "./completer";

/** Python's str.split(): split on runs of whitespace, no empty fields. */
export function whitespaceTokens(s: string): string[] {
  return s.split(/\s+/u).filter((t) => t.length > 0);
}

export function exactMatch(prediction: string, truth: string): boolean {
  const a = whitespaceTokens(prediction);
  const b = whitespaceTokens(truth);
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/** Length of the longest common subsequence of two code-point arrays (two-row DP). */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  if (a.length < b.length) [a, b] = [b, a];
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = ai === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** Insert/delete distance: what a Levenshtein distance with substitution cost 2 comes to. */
export function indelDistance(a: string, b: string): number {
  const ca = Array.from(a);
  const cb = Array.from(b);
  return ca.length + cb.length - 2 * lcsLength(ca, cb);
}

/** 0-100; two empty strings are identical (100). */
export function editSimilarity(prediction: string, truth: string): number {
  const a = Array.from(prediction.trim());
  const b = Array.from(truth.trim());
  const total = a.length + b.length;
  if (total === 0) return 100;
  return (100 * 2 * lcsLength(a, b)) / total;
}

/** 0-1: the longest common prefix of prediction and truth (both stripped) over the truth's length. */
export function acceptedChars(prediction: string, truth: string): number {
  const a = Array.from(prediction.trim());
  const b = Array.from(truth.trim());
  if (b.length === 0) return a.length === 0 ? 1 : 0;
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return k / b.length;
}

/** The median (mean of the middle two for an even count); null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Fraction of pairs whose chosen side scores strictly higher; null without pairs. */
export async function preferenceAccuracy(scorer: CompletionScorer, pairs: readonly PreferencePair[], signal?: AbortSignal, onItem?: () => void): Promise<{ accuracy: number | null; items: number }> {
  let right = 0;
  let n = 0;
  for (const pair of pairs) {
    if (signal?.aborted) break;
    const [c, r] = await scorer.score(pair.prompt, [pair.chosen, pair.rejected]);
    if (c! > r!) right++;
    n++;
    onItem?.();
  }
  return { accuracy: n ? right / n : null, items: n };
}
