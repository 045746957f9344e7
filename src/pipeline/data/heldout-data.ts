// The held-out evaluation set: line-completion probes from heldout.jsonl, and preference pairs
// nobody trained on: the editor's own pairs whose prompt hashes into the held-out fifth (the
// DPO stage trains on the other four fifths), plus synthetic held-out pairs when a run made
// them (heldout-preferences.jsonl, built on held-out files with the reference model).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { hashString32 } from "../../core/random/seeded-random";
import type { PreferencePair } from "../../core/feedback/feedback-types";
import { datasetPaths, type HeldoutProbe } from "../../core/store/dataset-files";
import { readRecords, type JsonlReadReport } from "../../core/store/jsonl-reader";
import { reservoirSample } from "../../core/random/sample";

export const HELDOUT_PREFERENCES_FILE = "heldout-preferences.jsonl";

/** True for the editor pairs kept out of DPO and the reward model, for evaluation. */
export function isHeldoutPair(pair: Pick<PreferencePair, "prompt">): boolean {
  return hashString32(pair.prompt, 0x5eed) % 5 === 0;
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
  for (const r of readRecords<unknown>(paths.preferences, reports)) {
    if (isPair(r) && r.chosen.trim() !== "" && r.rejected.trim() !== "" && isHeldoutPair(r)) editor.push(r);
  }
  const synthetic: PreferencePair[] = [];
  const files = [...(options.pairFiles ?? []), join(datasetDir, HELDOUT_PREFERENCES_FILE)];
  for (const file of new Set(files)) {
    if (!existsSync(file)) continue;
    for (const r of readRecords<unknown>(file, reports)) if (isPair(r) && r.chosen.trim() !== "" && r.rejected.trim() !== "") synthetic.push(r);
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
