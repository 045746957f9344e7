// report.json (Post-training issue): `stages.{base,pretrain,sft,dpo,student}.{exactMatch,
// editSimilarity, preferenceAccuracy, latencyMsP50, heldoutItems}`, null where not applicable.
// Reduced to exactly that, so the page gets a message it can validate field by field.
import { EVAL_METRICS, EVAL_ROWS, type EvalValues, type RunReport } from "../../../core/protocol";

export function normalizeReport(raw: unknown): RunReport | null {
  if (!isObject(raw) || !isObject(raw.stages)) return null;
  const stages: RunReport["stages"] = {};
  for (const row of EVAL_ROWS) {
    const value = raw.stages[row];
    if (value === null) stages[row] = null;
    else if (isObject(value)) {
      const values: EvalValues = {};
      for (const metric of EVAL_METRICS) {
        const n = value[metric];
        values[metric] = typeof n === "number" && Number.isFinite(n) ? n : null;
      }
      stages[row] = values;
    }
  }
  return { stages };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
