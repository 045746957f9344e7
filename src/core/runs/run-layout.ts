// Where a run's files live. Stage outputs are shared between runs (OUT/stages/<stage>/),
// so a new run skips a stage whose inputs have not changed; each run keeps its own event
// log and report (OUT/runs/<run-id>/), and OUT/runs/latest names the newest run.
import { existsSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { StageName } from "../protocol";
import { mkdirPrivate, PRIVATE_FILE_MODE } from "../fs/private-files";

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
  mkdirPrivate(runs); // 0700: see core/fs/private-files.ts
  const latest = join(runs, "latest");
  const temp = join(runs, `.latest-${process.pid}`);
  rmSync(temp, { force: true });
  try {
    symlinkSync(runId, temp, "dir");
  } catch {
    writeFileSync(temp, runId, { mode: PRIVATE_FILE_MODE });
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

/** A run folder (OUT/runs/ID or OUT/runs/latest), or a data folder OUT (its latest run). */
export function locateRun(dir: string): { out: string; runId: string } {
  const abs = resolve(dir);
  if (statSync(abs, { throwIfNoEntry: false })?.isDirectory() && existsSync(join(abs, "run.json"))) {
    return { out: dirname(dirname(abs)), runId: basename(abs) };
  }
  const latestOfOut = latestRunId(abs);
  if (latestOfOut) return { out: abs, runId: latestOfOut };
  // OUT/runs/latest as a text file, where the file system allowed no link.
  if (basename(abs) === "latest" && basename(dirname(abs)) === "runs") {
    const out = dirname(dirname(abs));
    const id = latestRunId(out);
    if (id) return { out, runId: id };
  }
  throw new Error(`${abs} is not a RepoTune run folder (OUT/runs/ID holding run.json) nor a data folder with runs`);
}
