// report.json and report.md of a run: one row per model (base, pretrain, sft, dpo, student)
// with the held-out figures, the reward model's pair accuracy, the configuration and the wall
// time. report.json's `stages` is what the dashboard reads (core/dashboard/report.ts).
import { join } from "node:path";
import { writeFileAtomicSync } from "../../core/fs/atomic-write";
import { EVAL_ROWS, type EvalRowName } from "../../core/protocol";
import { verdict, type Comparison } from "./compare-models";
import type { HeldoutBaselines } from "./held-out-loss";
import type { EvalSample, StageEval } from "./types";
import type { FilterOutcome } from "./reward-filter";
import { mkdirPrivate } from "../../core/fs/private-files";

/** 2: intervals, accepted characters, per-mode figures, paired comparisons, activation. */
export const REPORT_VERSION = 2;

export interface EvalReport {
  version: typeof REPORT_VERSION;
  createdAt: string;
  stages: Record<EvalRowName, StageEval | null>;
  /**
   * The reward model on held-out data: pair accuracy, and the AUC of "this shown completion is
   * accepted" (editor events, and synthetic items labelled by the truth's first line), with the
   * serving filter's thresholds chosen from the same items (also in the model's filter.json).
   */
  rewardModel: {
    preferenceAccuracy: number | null;
    items: number;
    auc?: number | null;
    aucItems?: number;
    aucBySource?: { editor: number; synthetic: number };
    thresholds?: { balanced: number | null; strict: number | null };
  } | null;
  /**
   * The serving filter in balanced mode on the same held-out items as the AUC: share held back,
   * exact match of all suggestions vs of those shown (items with a truth), its added latency.
   * Null without a reward model or threshold; absent in older reports.
   */
  filter?: FilterOutcome | null;
  /** Where the held-out preference pairs came from. */
  preferencePairs: { editor: number; synthetic: number };
  /** Preset, model sizes, steps...: whatever the caller ran with. */
  config: Record<string, unknown>;
  /** Paired tests between every two models on the same probes (compare-models.ts). */
  comparisons: Comparison[];
  /** Yardsticks of the held-out loss (bits per byte), measured on the same target bytes. */
  heldoutLoss?: HeldoutBaselines;
  /** Seconds from the start of the run (or of the evaluation) to the report. */
  wallTimeSec: number | null;
  samples: Partial<Record<EvalRowName, EvalSample[]>>;
  notes: string[];
}

export function emptyStages(): Record<EvalRowName, StageEval | null> {
  return Object.fromEntries(EVAL_ROWS.map((r) => [r, null])) as Record<EvalRowName, StageEval | null>;
}

const pct = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(1)}%`);
const num = (x: number | null, digits = 1) => (x === null ? "–" : x.toFixed(digits));
const pctCi = (x: number | null, ci: [number, number] | null) => (x === null ? "–" : `${pct(x)} [${ci ? `${(100 * ci[0]).toFixed(1)}, ${(100 * ci[1]).toFixed(1)}` : "–"}]`);
const numCi = (x: number | null, ci: [number, number] | null) => (x === null ? "–" : `${num(x)} [${ci ? `${ci[0].toFixed(1)}, ${ci[1].toFixed(1)}` : "–"}]`);

/** What each figure means, in words, under the table. */
const LEGEND = [
  "- **exact match**: the share of held-out places where what the editor would show (after its stop rules and clean-up) equals the truth, whitespace aside (CrossCodeEval's EM).",
  "- **accepted chars**: the share of the truth's characters a user would take by accepting the suggestion up to its first wrong character: the figure closest to partial accepts.",
  "- **edit similarity**: 0-100, how close the suggestion is to the truth character by character (100 = identical; CrossCodeEval's ES).",
  "- **[low, high]**: the 95% bootstrap interval of the figure over these probes; intervals that overlap much mean the probes cannot tell the models apart.",
  "- **preference accuracy**: the share of held-out pairs where the model gives the chosen side a higher log-probability than the rejected one.",
  "- **latency p50**: the median time of one completion with the editor's settings, on this machine.",
];

export function renderReportMarkdown(r: EvalReport): string {
  const lines: string[] = [];
  lines.push("# RepoTune evaluation", "");
  lines.push("Held-out files only (never trained on), asked as the editor asks (its budget, stop rules and clean-up).", "");
  lines.push("| model | exact match | accepted chars | edit similarity | preference accuracy | latency p50 (ms) | probes (line / block) |");
  lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of EVAL_ROWS) {
    const s = r.stages[row];
    if (!s) {
      lines.push(`| ${row} | – | – | – | – | – | – |`);
      continue;
    }
    const pairs = s.preferenceAccuracy === null ? "–" : `${pct(s.preferenceAccuracy)} (${s.preferenceItems})`;
    const modes = `${s.heldoutItems} (${s.modes?.line?.items ?? 0} / ${s.modes?.block?.items ?? 0})`;
    lines.push(`| ${row} | ${pctCi(s.exactMatch, s.exactMatchCi ?? null)} | ${pctCi(s.acceptedChars ?? null, s.acceptedCharsCi ?? null)} | ${numCi(s.editSimilarity, s.editSimilarityCi ?? null)} | ${pairs} | ${num(s.latencyMsP50, 0)} | ${modes} |`);
  }
  lines.push("", ...LEGEND, "");
  const modeRows = EVAL_ROWS.flatMap((row) => {
    const m = r.stages[row]?.modes;
    return m ? (["line", "block"] as const).flatMap((mode) => (m[mode] ? [`| ${row} | ${mode} | ${pct(m[mode]!.exactMatch)} | ${pct(m[mode]!.acceptedChars)} | ${num(m[mode]!.editSimilarity)} | ${m[mode]!.items} |`] : [])) : [];
  });
  if (modeRows.length) lines.push("## By mode", "", "| model | mode | exact match | accepted chars | edit similarity | probes |", "| --- | --- | ---: | ---: | ---: | ---: |", ...modeRows, "");
  const losses = EVAL_ROWS.flatMap((row) => (typeof r.stages[row]?.bitsPerByte === "number" ? [`${row} ${r.stages[row]!.bitsPerByte!.toFixed(2)}`] : []));
  if (losses.length || r.heldoutLoss) {
    const yardsticks = r.heldoutLoss ? `; fitted on the training files and measured on the same bytes: byte 4-gram ${num(r.heldoutLoss.ngram4, 2)}, byte unigram ${num(r.heldoutLoss.unigram, 2)}` : "";
    lines.push("## Held-out loss", "", `Bits per byte of the held-out targets given the text before them (lower is better): ${losses.join(", ") || "–"}${yardsticks}. A model above the 4-gram has learnt less than counting byte sequences would.`, "");
  }
  const sources = [...new Set(EVAL_ROWS.flatMap((row) => Object.keys(r.stages[row]?.preferenceBySource ?? {})))];
  if (sources.length) {
    lines.push("## Preference accuracy by source", "", "Where the held-out pairs come from: the editor (what you accepted or typed instead), or a synthetic pair whose rejected side is the base model's line or another line of the same file (never a model trained against it).", "");
    lines.push(`| model | ${sources.join(" | ")} |`, `| --- | ${sources.map(() => "---:").join(" | ")} |`);
    for (const row of EVAL_ROWS) {
      const by = r.stages[row]?.preferenceBySource;
      if (by) lines.push(`| ${row} | ${sources.map((k) => (by[k] ? `${pct(by[k]!.accuracy)} (${by[k]!.items})` : "–")).join(" | ")} |`);
    }
    lines.push("");
  }
  const compared = r.comparisons ?? [];
  if (compared.length) {
    lines.push("## Comparisons", "", "Each later model against each earlier one on the same probes (paired sign-flip test; better or worse at p < 0.05).", "");
    lines.push("| a | b | metric | b - a | p | verdict for b |", "| --- | --- | --- | ---: | ---: | --- |");
    for (const c of compared) {
      const delta = c.metric === "editSimilarity" ? c.delta.toFixed(1) : c.metric === "bitsPerByte" ? `${c.delta.toFixed(3)} bits/byte` : `${(100 * c.delta).toFixed(1)} pts`;
      lines.push(`| ${c.a} | ${c.b} | ${c.metric} | ${delta} | ${c.p.toFixed(3)} | ${verdict(c)} |`);
    }
    lines.push("");
  }
  if (r.filter) {
    const f = r.filter;
    lines.push(`Completion filter (${f.mode}): holds back ${pct(f.heldBackShare)} of shown completions; exact match ${pct(f.exactMatchShown)} of those shown vs ${pct(f.exactMatchAll)} of all (${f.exactMatchShownItems} of ${f.exactMatchItems}); adds ${num(f.addedLatencyMsP50, 1)} ms per completion (p50).`, "");
  }
  if (r.rewardModel) {
    const rm = r.rewardModel;
    const auc = rm.auc === undefined ? "" : ` AUC of predicting an accept ${num(rm.auc ?? null, 3)} on ${rm.aucItems ?? 0} shown completions (${rm.aucBySource?.editor ?? 0} from the editor, ${rm.aucBySource?.synthetic ?? 0} synthetic: accepted when the first line matches the truth).`;
    lines.push(`Reward model: held-out pair accuracy ${pct(rm.preferenceAccuracy)} on ${rm.items} pairs.${auc}`, "");
  }
  lines.push(`Held-out preference pairs: ${r.preferencePairs.editor} from the editor, ${r.preferencePairs.synthetic} synthetic.`, "");
  if (r.wallTimeSec !== null) lines.push(`Wall time: ${formatDuration(r.wallTimeSec)}.`, "");
  if (Object.keys(r.config).length) {
    lines.push("## Configuration", "", "```json", JSON.stringify(r.config, null, 2), "```", "");
  }
  for (const row of EVAL_ROWS) {
    const samples = r.samples[row];
    if (!samples?.length) continue;
    lines.push(`## Samples: ${row}`, "");
    for (const s of samples) {
      lines.push(`- \`${s.path}:${s.line}\` truth \`${inline(s.truth)}\` → \`${inline(s.prediction)}\``);
    }
    lines.push("");
  }
  if (r.notes.length) lines.push("## Notes", "", ...r.notes.map((n) => `- ${n}`), "");
  return lines.join("\n");
}

function inline(s: string): string {
  const t = s.replace(/`/g, "ˋ").replace(/\s+/g, " ").trim();
  return t.length > 100 ? t.slice(0, 100) + "…" : t || "(empty)";
}

export function formatDuration(sec: number): string {
  if (sec < 60) return `${sec.toFixed(1)} s`;
  const m = Math.floor(sec / 60);
  return `${m} min ${Math.round(sec - 60 * m)} s`;
}

export function writeReport(dir: string, report: EvalReport): { json: string; md: string } {
  mkdirPrivate(dir); // 0700: see core/fs/private-files.ts
  const json = join(dir, "report.json");
  const md = join(dir, "report.md");
  writeFileAtomicSync(json, JSON.stringify(report, null, 2) + "\n");
  writeFileAtomicSync(md, renderReportMarkdown(report));
  return { json, md };
}
