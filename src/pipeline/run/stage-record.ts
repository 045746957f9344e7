// OUT/stages/<stage>/stage.json: what a finished stage was computed from and what it made.
// Written last and atomically, so its presence means the stage completed.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
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

export function readStageRecord(dir: string): StageRecord | undefined {
  const file = join(dir, STAGE_RECORD);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as StageRecord;
    return typeof record.inputsHash === "string" && record.artifacts && typeof record.artifacts === "object" ? record : undefined;
  } catch {
    return undefined; // a damaged record only means the stage runs again
  }
}

export function writeStageRecord(dir: string, record: StageRecord): void {
  writeFileAtomic(join(dir, STAGE_RECORD), JSON.stringify(record, null, 2) + "\n");
}

/** A recorded stage can be reused when its inputs match and every artifact still exists. */
export function isReusable(record: StageRecord | undefined, inputsHash: string): record is StageRecord {
  return !!record && record.inputsHash === inputsHash && Object.values(record.artifacts).every((p) => existsSync(p));
}
