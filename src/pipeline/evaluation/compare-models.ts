// Paired comparisons between the models of a run, scored on the same held-out probes: for each
// pair (earlier row a, later row b) and each figure, the mean difference b - a and the p-value
// of a paired sign-flip test, so a report says whether a stage made the model better, not only
// different. Held-out loss is compared too, per probe, where both models could score: the
// figure that moves first when a weak model learns a repository (its exact match may stay 0).
// Two rows that are the same model (a from-scratch run's base and pretrain) are not compared.
import { pairedTest } from "../../core/math/resampling";
import { EVAL_ROWS, type EvalRowName } from "../../core/protocol";
import type { ItemScores } from "./types";

export const COMPARED_METRICS = ["exactMatch", "acceptedChars", "editSimilarity"] as const;
/** The per-probe figures compared; bitsPerByte is the one where lower is better. */
export type ComparedMetric = (typeof COMPARED_METRICS)[number] | "bitsPerByte";

export interface Comparison {
  a: EvalRowName;
  b: EvalRowName;
  metric: ComparedMetric;
  /** mean(b) - mean(a): exact match and accepted characters as fractions, edit similarity 0-100, loss in bits per byte. */
  delta: number;
  p: number;
}

/** Below this p a difference counts as real (two-sided, 5%). */
export const SIGNIFICANCE = 0.05;

export function compareModels(items: Partial<Record<EvalRowName, ItemScores>>, dirs: Partial<Record<EvalRowName, string>> = {}): Comparison[] {
  const rows = EVAL_ROWS.filter((r) => items[r]);
  const out: Comparison[] = [];
  rows.forEach((a, i) => {
    for (const b of rows.slice(i + 1)) {
      if (dirs[a] !== undefined && dirs[a] === dirs[b]) continue;
      for (const metric of COMPARED_METRICS) {
        const r = pairedTest(items[a]![metric], items[b]![metric]);
        out.push({ a, b, metric, delta: r.delta, p: r.p });
      }
      const loss = pairedLoss(items[a]!, items[b]!);
      if (loss) out.push({ a, b, metric: "bitsPerByte", delta: loss.delta, p: loss.p });
    }
  });
  return out;
}

/** The paired test of two models' held-out loss on the probes both scored; null when there are none. */
export function pairedLoss(a: ItemScores, b: ItemScores): { delta: number; p: number; items: number } | null {
  if (!a.bitsPerByte || !b.bitsPerByte || a.bitsPerByte.length !== b.bitsPerByte.length) return null;
  const both = a.bitsPerByte.flatMap((x, i) => (typeof x === "number" && typeof b.bitsPerByte![i] === "number" ? [i] : []));
  if (!both.length) return null;
  return pairedTest(both.map((i) => a.bitsPerByte![i]!), both.map((i) => b.bitsPerByte![i]!));
}

/** "better", "worse" or "no significant difference" for b against a (a lower loss is better). */
export function verdict(c: Pick<Comparison, "delta" | "p"> & { metric?: ComparedMetric }): "better" | "worse" | "same" {
  if (!(c.p < SIGNIFICANCE) || c.delta === 0) return "same";
  return c.delta > 0 === (c.metric !== "bitsPerByte") ? "better" : "worse";
}
