// The held-out evaluation set: completion probes from heldout.jsonl, and preference pairs
// nobody trained on: the editor's own pairs typed in the held-out files (the same files as the
// probes; DPO and the reward model train on the pairs of the other files), plus synthetic
// held-out pairs when a run made them (heldout-preferences.jsonl, built on held-out files
// against something DPO never trained against: the base model's output, another line).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { hashString32 } from "../../core/random/seeded-random";
import type { PreferencePair } from "../../core/feedback/feedback-types";
import { datasetPaths, type HeldoutProbe } from "../../core/store/dataset-files";
import { readRecords, type JsonlReadReport } from "../../core/store/jsonl-reader";
import { reservoirSample } from "../../core/random/sample";

export const HELDOUT_PREFERENCES_FILE = "heldout-preferences.jsonl";

/** Which editor pairs are kept out of DPO and the reward model, for evaluation. */
export type PairSplit = (pair: Pick<PreferencePair, "prompt" | "path">) => boolean;

/**
 * The split of the dataset's manifest: a pair made in a held-out file is held out. A pair
 * without a file (written before pairs recorded one) falls to the held-out fifth by a hash of
 * its prompt, as all pairs once did.
 */
export function pairSplit(datasetDir: string): PairSplit {
  let held = new Set<string>();
  try {
    const manifest = JSON.parse(readFileSync(datasetPaths(datasetDir).manifest, "utf8")) as { split?: { heldoutPaths?: unknown } };
    const paths = manifest.split?.heldoutPaths;
    if (Array.isArray(paths)) held = new Set(paths.filter((p): p is string => typeof p === "string"));
  } catch {
    // No manifest (a dataset written by hand): only the prompt hash decides.
  }
  return (pair) => (typeof pair.path === "string" ? held.has(pair.path) : hashString32(pair.prompt, 0x5eed) % 5 === 0);
}

const isPair = (p: unknown): p is PreferencePair => {
  const r = p as Record<string, unknown>;
  return typeof r === "object" && r !== null && typeof r.prompt === "string" && typeof r.chosen === "string" && typeof r.rejected === "string";
};

const isProbe = (p: unknown): p is HeldoutProbe => {
  const r = p as Record<string, unknown>;
  return typeof r === "object" && r !== null && typeof r.prefix === "string" && typeof r.suffix === "string" && typeof r.target === "string";
};

export interface EvalSet {
  probes: HeldoutProbe[];
  pairs: PreferencePair[];
  /** Where the pairs came from, for the report. */
  pairSources: { editor: number; synthetic: number };
  /** Torn or corrupt lines met while reading, for the log. */
  warnings: string[];
}

export interface EvalSetOptions {
  maxProbes: number;
  maxPairs: number;
  seed: number;
  /** Extra pair files (a DPO stage's heldout-preferences.jsonl). */
  pairFiles?: readonly string[];
}

export function loadEvalSet(datasetDir: string, options: EvalSetOptions): EvalSet {
  const paths = datasetPaths(datasetDir);
  const reports: JsonlReadReport[] = [];
  // Sorted by place after sampling, so a report lists probes in file order.
  const probes = reservoirSample(
    (function* () {
      for (const r of readRecords<unknown>(paths.heldout, reports)) if (isProbe(r) && r.target.trim() !== "") yield r;
    })(),
    options.maxProbes,
    options.seed,
  ).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));

  const editor: PreferencePair[] = [];
  const isHeldout = pairSplit(datasetDir);
  for (const r of readRecords<unknown>(paths.preferences, reports)) {
    if (isPair(r) && r.chosen.trim() !== "" && r.rejected.trim() !== "" && isHeldout(r)) editor.push(r);
  }
  const synthetic: PreferencePair[] = [];
  const files = [...(options.pairFiles ?? []), join(datasetDir, HELDOUT_PREFERENCES_FILE)];
  for (const file of new Set(files)) {
    if (!existsSync(file)) continue;
    // A pair rejecting the trained model's own output would be a built-in win for DPO: never evaluated.
    for (const r of readRecords<unknown>(file, reports)) if (isPair(r) && r.chosen.trim() !== "" && r.rejected.trim() !== "" && r.rejectedBy !== "policy") synthetic.push(r);
  }
  // Editor pairs first: they are what the user actually judged.
  const keepEditor = editor.slice(0, options.maxPairs);
  const keepSynthetic = reservoirSample(synthetic, options.maxPairs - keepEditor.length, options.seed + 1);
  const warnings = reports.flatMap((r) => [
    ...(r.tornLastLine ? [`${r.path}: skipped a torn last line (${r.tornLastLine.bytes} bytes at line ${r.tornLastLine.line})`] : []),
    ...(r.corruptLines.length ? [`${r.path}: skipped ${r.corruptLines.length} corrupt lines`] : []),
  ]);
  return {
    probes,
    pairs: [...keepEditor, ...keepSynthetic],
    pairSources: { editor: keepEditor.length, synthetic: keepSynthetic.length },
    warnings,
  };
}
