// OUT/runs/<run-id>/run.json: what a run was asked to do and how it ended. The extension
// reads it to offer resuming a run that VS Code's closing cut off.
import { readFileSync } from "node:fs";
import type { TrainingJob } from "../protocol";
import { latestRunId, runLayout } from "./run-layout";

export type RunStatus = "running" | "done" | "failed" | "cancelled";

export interface RunRecord {
  runId: string;
  job: TrainingJob;
  status: RunStatus;
  startedAt: string;
  endedAt?: string;
  pid: number;
}

export function readRunRecord(out: string, runId: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(runLayout(out, runId).runFile, "utf8")) as RunRecord;
  } catch {
    return undefined;
  }
}

/** The newest run that did not finish (cut off, cancelled or failed), if any: what --resume continues. */
export function resumableRun(out: string): RunRecord | undefined {
  const id = latestRunId(out);
  const record = id ? readRunRecord(out, id) : undefined;
  return record && record.status !== "done" ? record : undefined;
}
