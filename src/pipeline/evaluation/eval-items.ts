// eval-items.json, beside report.json: the probes an evaluation used and every model's score on
// each of them. A later run compares its model with the one serving completions on the very
// same probes (activation), without evaluating that model again when the probes are unchanged.
import { readFileSync } from "node:fs";
import type { EvalRowName } from "../../core/protocol";
import type { HeldoutProbe } from "../../core/store/dataset-files";
import type { ItemScores } from "./types";

export const EVAL_ITEMS_FILE = "eval-items.json";

export interface EvalItems {
  probes: HeldoutProbe[];
  rows: Partial<Record<EvalRowName, ItemScores>>;
}

/** The file's content, or null when it is missing or not one (an older run, a damaged file). */
export function readEvalItems(path: string): EvalItems | null {
  try {
    const raw = JSON.parse(readFileSync(path, "utf8")) as Partial<EvalItems>;
    if (!Array.isArray(raw.probes) || typeof raw.rows !== "object" || raw.rows === null) return null;
    return raw as EvalItems;
  } catch {
    return null;
  }
}

/** Whether two evaluations asked the same probes (same places, same targets, same order). */
export function sameProbes(a: readonly HeldoutProbe[], b: readonly HeldoutProbe[]): boolean {
  return a.length === b.length && a.every((p, i) => p.path === b[i]!.path && p.line === b[i]!.line && p.target === b[i]!.target && p.prefix === b[i]!.prefix && p.suffix === b[i]!.suffix && (p.mode ?? "line") === (b[i]!.mode ?? "line"));
}
