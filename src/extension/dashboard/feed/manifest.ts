// The dataset's manifest.json (DESIGN.md "Data": counts, tokens, every excluded file with
// its reason, the split), reduced to the dataset panel's numbers. The Datasets issue owns
// the file's exact layout, so this reads the documented shape first and a few obvious
// spellings of each field after it, and never fails on a field it does not know.
import type { DatasetSummary } from "../../../core/protocol";

/** How many excluded files are sent to the page; the count is always complete. */
export const MAX_EXCLUDED_LISTED = 5000;

export function summarizeManifest(raw: unknown): DatasetSummary | null {
  if (!isObject(raw)) return null;
  const files = isObject(raw.files) ? raw.files : {};
  const excluded = firstArray(raw.excluded, raw.excludedFiles, files.excluded)
    .filter(isObject)
    .map((e) => ({ path: str(e.path ?? e.file), reason: str(e.reason ?? e.why) || "unknown" }))
    .filter((e) => e.path);
  const countedByReason: Record<string, number> = {};
  for (const e of excluded) countedByReason[e.reason] = (countedByReason[e.reason] ?? 0) + 1;
  const byReason = numbers(raw.excludedByReason ?? raw.byReason ?? files.excludedByReason);
  return {
    filesKept: count(files.kept) ?? count(raw.filesKept) ?? count(raw.keptFiles) ?? count(raw.kept) ?? 0,
    filesExcluded: count(files.excluded) ?? count(raw.filesExcluded) ?? count(raw.excludedCount) ?? excluded.length,
    excludedByReason: Object.keys(byReason).length ? byReason : countedByReason,
    excluded: excluded.slice(0, MAX_EXCLUDED_LISTED),
    samplesByKind: numbers(raw.counts ?? raw.samplesByKind ?? raw.kinds ?? raw.samples),
    // A bare number as a total, when it is a count: the page refuses the whole summary otherwise.
    tokens: typeof raw.tokens === "number" ? (count(raw.tokens) === undefined ? {} : { total: raw.tokens }) : numbers(raw.tokens),
  };
}

/** A count given as a number or as the list it counts. */
function count(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v;
  if (Array.isArray(v)) return v.length;
  return undefined;
}

function firstArray(...candidates: unknown[]): unknown[] {
  return (candidates.find(Array.isArray) as unknown[] | undefined) ?? [];
}

/** Non-negative numbers of a record; one level of nesting becomes `outer/inner`. */
function numbers(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isObject(v)) return out;
  for (const [key, value] of Object.entries(v)) {
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) out[key] = value;
    else if (isObject(value)) {
      for (const [inner, n] of Object.entries(value)) {
        if (typeof n === "number" && Number.isFinite(n) && n >= 0) out[`${key}/${inner}`] = n;
      }
    }
  }
  return out;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
