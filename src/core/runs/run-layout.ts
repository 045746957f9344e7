// Where a run's files live. Stage outputs are shared between runs (OUT/stages/<stage>/),
// so a new run skips a stage whose inputs have not changed; each run keeps its own event
// log and report (OUT/runs/<run-id>/), and OUT/runs/latest names the newest run.
import { existsSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StageName } from "../protocol";

export interface RunLayout {
  out: string;
  runId: string;
  runDir: string;
  eventsFile: string;
  runFile: string;
  reportJson: string;
  reportMd: string;
  datasetDir: string;
  stageDir(stage: StageName): string;
}

export function newRunId(now: Date = new Date()): string {
  // Sortable and readable: 20261126-143512-ab12
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

export function runLayout(out: string, runId: string): RunLayout {
  const runDir = join(out, "runs", runId);
  return {
    out,
    runId,
    runDir,
    eventsFile: join(runDir, "events.jsonl"),
    runFile: join(runDir, "run.json"),
    reportJson: join(runDir, "report.json"),
    reportMd: join(runDir, "report.md"),
    datasetDir: join(out, "dataset"),
    stageDir: (stage) => join(out, "stages", stage),
  };
}

/** Points OUT/runs/latest at this run: a symlink, or a text file where links are not allowed. */
export function markLatest(out: string, runId: string): void {
  const runs = join(out, "runs");
  mkdirSync(runs, { recursive: true });
  const latest = join(runs, "latest");
  const temp = join(runs, `.latest-${process.pid}`);
  rmSync(temp, { force: true });
  try {
    symlinkSync(runId, temp, "dir");
  } catch {
    writeFileSync(temp, runId);
  }
  renameSync(temp, latest);
}

export function latestRunId(out: string): string | undefined {
  const latest = join(out, "runs", "latest");
  try {
    return readlinkSync(latest);
  } catch {
    return existsSync(latest) ? readFileSync(latest, "utf8").trim() || undefined : undefined;
  }
}
