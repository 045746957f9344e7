// The evaluation table: one row per model compared (before fine-tuning, after each stage,
// the student), report.json's numbers where it exists and the live eval events until then,
// with the best value of each column marked.
import { EVAL_METRICS, EVAL_ROWS, type EvalMetric, type EvalRowName, type EvalValues, type RunReport } from "../../../src/core/protocol";

export interface EvalCell {
  value: number | null;
  best: boolean;
}
export interface EvalTableRow {
  name: EvalRowName;
  cells: Record<EvalMetric, EvalCell>;
}
export interface EvalTable {
  source: "report" | "live" | "none";
  rows: EvalTableRow[];
}

export const ROW_LABELS: Record<EvalRowName, string> = {
  base: "Before fine-tuning",
  pretrain: "Pretrain",
  sft: "SFT",
  dpo: "DPO",
  rl: "RL (RLOO)",
  imported: "Imported (trained elsewhere)",
  student: "Student (distilled)",
};

export const METRIC_LABELS: Record<EvalMetric, string> = {
  exactMatch: "Exact match",
  acceptedChars: "Accepted chars",
  editSimilarity: "Edit similarity",
  preferenceAccuracy: "Preference accuracy",
  latencyMsP50: "Latency p50",
  heldoutItems: "Held-out items",
};

/** Which way is better; null: not a score (the number of items). */
const BETTER: Record<EvalMetric, "higher" | "lower" | null> = {
  exactMatch: "higher",
  acceptedChars: "higher",
  editSimilarity: "higher",
  preferenceAccuracy: "higher",
  latencyMsP50: "lower",
  heldoutItems: null,
};

export function buildEvalTable(report: RunReport | null, live: Partial<Record<EvalRowName, EvalValues>>): EvalTable {
  const source = report ? "report" : Object.keys(live).length ? "live" : "none";
  const stages: Partial<Record<EvalRowName, EvalValues | null>> = report ? report.stages : live;
  // Rows with no numbers at all (a run without a base model has no "before") are left out.
  const rows: EvalTableRow[] = EVAL_ROWS.filter((name) => {
    const v = stages[name];
    return v && EVAL_METRICS.some((m) => typeof v[m] === "number");
  }).map((name) => {
    const v = stages[name] ?? {};
    const cells = {} as Record<EvalMetric, EvalCell>;
    for (const m of EVAL_METRICS) cells[m] = { value: typeof v[m] === "number" ? (v[m] as number) : null, best: false };
    return { name, cells };
  });
  for (const m of EVAL_METRICS) {
    const better = BETTER[m];
    const values = rows.map((r) => r.cells[m].value).filter((x): x is number => x !== null);
    // "Best" only means something when there is something to compare.
    if (!better || values.length < 2) continue;
    const best = better === "higher" ? Math.max(...values) : Math.min(...values);
    for (const r of rows) if (r.cells[m].value === best) r.cells[m].best = true;
  }
  return { source, rows };
}

/**
 * Shows a number in the unit the report uses: exact match, accepted characters and preference
 * accuracy are fractions 0..1 (shown as percent), edit similarity is already 0..100, latency in ms.
 */
export function formatEvalValue(metric: EvalMetric, value: number | null): string {
  if (value === null) return "—";
  switch (metric) {
    case "exactMatch":
    case "acceptedChars":
    case "preferenceAccuracy":
      return `${(value * 100).toFixed(1)}%`;
    case "editSimilarity":
      return value.toFixed(1);
    case "latencyMsP50":
      return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
    case "heldoutItems":
      return String(Math.round(value));
  }
}
