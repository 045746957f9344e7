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

/** The run's own copy of a model (kept by its activate stage), if it is still on disk; a LoRA run has none of its own (runServing). */
export function runModel(out: string, runId: string, role: "student" | "teacher"): string | undefined {
  const kept = join(runLayout(out, runId).runDir, `${role}.gguf`);
  if (existsSync(kept)) return kept;
  const artifacts = runArtifacts(out, runId);
  if (artifacts?.[`${role}Lora`]) return undefined;
  const fromLog = artifacts?.[`${role}Gguf`];
  return fromLog && existsSync(fromLog) ? fromLog : undefined;
}

/** What serves a run's model: its GGUF, or for a LoRA run the base's GGUF and the run's adapter. */
export function runServing(out: string, runId: string, role: "student" | "teacher"): { gguf: string; lora?: string } | undefined {
  const own = runModel(out, runId, role);
  if (own) return { gguf: own };
  const artifacts = runArtifacts(out, runId);
  const gguf = artifacts?.[`${role}Gguf`];
  const lora = artifacts?.[`${role}Lora`];
  return gguf && lora && existsSync(gguf) && existsSync(lora) ? { gguf, lora } : undefined;
}
