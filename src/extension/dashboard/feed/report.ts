// report.json (Post-training issue): `stages.{base,pretrain,sft,dpo,student}.{exactMatch,
// editSimilarity, preferenceAccuracy, latencyMsP50, heldoutItems}`, null where not applicable.
// Reduced to exactly that, so the page gets a message it can validate field by field.
import { EVAL_METRICS, EVAL_ROWS, type EvalValues, type ReportFilter, type RunReport } from "../../../core/protocol";

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
  const f = raw.filter;
  const num = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? x : null);
  const auc = isObject(raw.rewardModel) ? num(raw.rewardModel.auc) : null;
  const filter = isObject(f) && (f.mode === "balanced" || f.mode === "strict")
    ? { mode: f.mode as ReportFilter["mode"], heldBackShare: num(f.heldBackShare), exactMatchShown: num(f.exactMatchShown), exactMatchAll: num(f.exactMatchAll), addedLatencyMsP50: num(f.addedLatencyMsP50), auc }
    : undefined;
  return { stages, ...(filter ? { filter } : {}) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
