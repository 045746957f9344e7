// OUT/stages/<stage>/stage.json: what a finished stage was computed from and what it made.
// Written last and atomically, so its presence means the stage completed.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { writeFileAtomicSync as writeFileAtomic } from "../../core/fs/atomic-write";
import type { Artifacts } from "./stage";

export interface StageRecord {
  inputsHash: string;
  /** What the stages after this one key on (the inputs hash, or for always-run stages the outputs'). */
  chainHash?: string;
  artifacts: Artifacts;
  skippedReason?: string;
  completedAt: string;
  durationSec: number;
}

export const STAGE_RECORD = "stage.json";

// Artifacts are stored relative to the output folder, so a data folder that was moved or
// copied still finds its own files (and never another folder's).
const mapArtifacts = (artifacts: Artifacts, f: (p: string) => string): Artifacts =>
  Object.fromEntries(Object.entries(artifacts).map(([k, p]) => [k, f(p)]));

export function readStageRecord(dir: string, out: string): StageRecord | undefined {
  const file = join(dir, STAGE_RECORD);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as StageRecord;
    if (typeof record.inputsHash !== "string" || !record.artifacts || typeof record.artifacts !== "object") return undefined;
    return { ...record, artifacts: mapArtifacts(record.artifacts, (p) => resolve(out, p)) };
  } catch {
    return undefined; // a damaged record only means the stage runs again
  }
}

export function writeStageRecord(dir: string, out: string, record: StageRecord): void {
  const stored = { ...record, artifacts: mapArtifacts(record.artifacts, (p) => (isAbsolute(p) && !relative(out, p).startsWith("..") ? relative(out, p) : p)) };
  writeFileAtomic(join(dir, STAGE_RECORD), JSON.stringify(stored, null, 2) + "\n");
}

/** A recorded stage can be reused when its inputs match and every artifact still exists. */
export function isReusable(record: StageRecord | undefined, inputsHash: string): record is StageRecord {
  return !!record && record.inputsHash === inputsHash && Object.values(record.artifacts).every((p) => existsSync(p));
}
