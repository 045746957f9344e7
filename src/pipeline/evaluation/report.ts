// report.json and report.md of a run: one row per model (base, pretrain, sft, dpo, student)
// with the held-out figures, the reward model's pair accuracy, the configuration and the wall
// time. report.json's `stages` is what the dashboard reads (core/dashboard/report.ts).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../core/fs/atomic-write";
import { EVAL_ROWS, type EvalRowName } from "../../core/protocol";
import type { EvalSample, StageEval } from "./types";

export const REPORT_VERSION = 1;

export interface EvalReport {
  version: typeof REPORT_VERSION;
  createdAt: string;
  stages: Record<EvalRowName, StageEval | null>;
  rewardModel: { preferenceAccuracy: number | null; items: number } | null;
  /** Where the held-out preference pairs came from. */
  preferencePairs: { editor: number; synthetic: number };
  /** Preset, model sizes, steps...: whatever the caller ran with. */
  config: Record<string, unknown>;
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

export function renderReportMarkdown(r: EvalReport): string {
  const lines: string[] = [];
  lines.push("# RepoTune evaluation", "");
  lines.push("Held-out files only (never trained on). Exact match and edit similarity as CodeXGLUE line completion; preference accuracy: the model gives the chosen side of a held-out pair the higher log-probability.", "");
  lines.push("| model | exact match | edit similarity | preference accuracy | latency p50 (ms) | held-out items |");
  lines.push("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const row of EVAL_ROWS) {
    const s = r.stages[row];
    if (!s) {
      lines.push(`| ${row} | – | – | – | – | – |`);
      continue;
    }
    const pairs = s.preferenceAccuracy === null ? "–" : `${pct(s.preferenceAccuracy)} (${s.preferenceItems})`;
    lines.push(`| ${row} | ${pct(s.exactMatch)} | ${num(s.editSimilarity)} | ${pairs} | ${num(s.latencyMsP50, 0)} | ${s.heldoutItems} |`);
  }
  lines.push("");
  if (r.rewardModel) lines.push(`Reward model: held-out pair accuracy ${pct(r.rewardModel.preferenceAccuracy)} on ${r.rewardModel.items} pairs.`, "");
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
  mkdirSync(dir, { recursive: true });
  const json = join(dir, "report.json");
  const md = join(dir, "report.md");
  writeFileAtomicSync(json, JSON.stringify(report, null, 2) + "\n");
  writeFileAtomicSync(md, renderReportMarkdown(report));
  return { json, md };
}
