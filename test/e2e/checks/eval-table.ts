// The dashboard's evaluation table against the run's report.json: the same models, and in
// every cell the report's number (shown as a percent, with one decimal, or in ms).
import assert from "node:assert/strict";
import type { EvalTableText } from "../harness/dashboard";
import type { EvalReport } from "../../../src/pipeline/evaluation/report";

const ROWS: Record<string, keyof EvalReport["stages"]> = {
  "Before fine-tuning": "base",
  Pretrain: "pretrain",
  SFT: "sft",
  DPO: "dpo",
  "Student (distilled)": "student",
};

type Metric = "exactMatch" | "acceptedChars" | "editSimilarity" | "preferenceAccuracy" | "latencyMsP50" | "heldoutItems";
const COLUMNS: Record<string, { metric: Metric; scale: number; tolerance: number }> = {
  "Exact match": { metric: "exactMatch", scale: 100, tolerance: 0.051 },
  "Accepted chars": { metric: "acceptedChars", scale: 100, tolerance: 0.051 },
  "Edit similarity": { metric: "editSimilarity", scale: 1, tolerance: 0.051 },
  "Preference accuracy": { metric: "preferenceAccuracy", scale: 100, tolerance: 0.051 },
  "Latency p50": { metric: "latencyMsP50", scale: 1, tolerance: 0.51 },
  "Held-out items": { metric: "heldoutItems", scale: 1, tolerance: 0 },
};

export function assertTableShowsReport(table: EvalTableText, report: EvalReport): void {
  const expectedRows = Object.entries(ROWS)
    .filter(([, key]) => report.stages[key] !== null && report.stages[key] !== undefined)
    .map(([label]) => label);
  assert.deepEqual(table.rows.map((r) => r[0]), expectedRows, "one row per model report.json evaluated, in pipeline order");
  const columns = table.head.slice(1);
  assert.deepEqual(columns, Object.keys(COLUMNS), "the table's columns");
  for (const row of table.rows) {
    const stage = report.stages[ROWS[row[0]!]!]!;
    columns.forEach((label, i) => {
      const { metric, scale, tolerance } = COLUMNS[label]!;
      const cell = row[i + 1] ?? "";
      const want = stage[metric as keyof typeof stage] as number | null | undefined;
      if (want === null || want === undefined) {
        assert.match(cell, /^[—–-]$/, `${row[0]} / ${label}: report.json has no value, the cell says so`);
        return;
      }
      const shown = Number(/-?\d+(\.\d+)?/.exec(cell)?.[0]);
      assert.ok(Math.abs(shown - want * scale) <= tolerance, `${row[0]} / ${label}: the table shows "${cell}", report.json has ${want}`);
    });
  }
}
