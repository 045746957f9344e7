// What a finished run made, read back from its event log's `done` event.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { WorkerEvent } from "../protocol";
import { readJsonlRecords } from "../store/jsonl-reader";
import { runLayout } from "./run-layout";

export function runArtifacts(out: string, runId: string): Record<string, string> | undefined {
  const layout = runLayout(out, runId);
  let artifacts: Record<string, string> | undefined;
  for (const { record } of readJsonlRecords<WorkerEvent>(layout.eventsFile)) {
    if (record && record.type === "done") artifacts = record.artifacts;
  }
  return artifacts;
}

/** The run's own copy of a model (kept by its activate stage), if it is still on disk. */
export function runModel(out: string, runId: string, role: "student" | "teacher"): string | undefined {
  const kept = join(runLayout(out, runId).runDir, `${role}.gguf`);
  if (existsSync(kept)) return kept;
  const fromLog = runArtifacts(out, runId)?.[`${role}Gguf`];
  return fromLog && existsSync(fromLog) ? fromLog : undefined;
}
