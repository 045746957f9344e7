// How long each stage took on this machine, kept in the data folder (OUT/stage-speeds.json) by
// what ran it (stage, backend, model, preset, LoRA, threads): the next run's plan estimates
// from it instead of from a constant. A damaged or foreign file is started over, never an error:
// it only ever makes an estimate.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../core/fs/atomic-write";
import { mkdirPrivate } from "../../core/fs/private-files";

export const STAGE_SPEEDS_FILE = "stage-speeds.json";

export interface StageSpeed {
  durationSec: number;
  /** Optimizer steps the stage trained (null for a stage that does not train). */
  steps: number | null;
  at: string;
}

export function readStageSpeeds(out: string): Record<string, StageSpeed> {
  const file = join(out, STAGE_SPEEDS_FILE);
  if (!existsSync(file)) return {};
  try {
    const raw = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return {};
    return Object.fromEntries(
      Object.entries(raw as Record<string, StageSpeed>).filter(([, v]) => typeof v?.durationSec === "number" && v.durationSec >= 0 && (v.steps === null || (Number.isInteger(v.steps) && v.steps > 0))),
    );
  } catch {
    return {};
  }
}

/** Keeps a stage's time; a failed write (a full disk) costs the next estimate only, never the run. */
export function recordStageSpeed(out: string, key: string, speed: Omit<StageSpeed, "at">): void {
  try {
    const all = readStageSpeeds(out);
    all[key] = { ...speed, at: new Date().toISOString() };
    mkdirPrivate(out);
    writeFileAtomicSync(join(out, STAGE_SPEEDS_FILE), JSON.stringify(all, null, 2) + "\n");
  } catch {
    // Only an estimate is lost.
  }
}
