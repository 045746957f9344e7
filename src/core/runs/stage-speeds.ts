// How long each stage took on this machine, kept in the data folder (OUT/stage-speeds.json) by
// what ran it (stage, backend, model, preset, LoRA, threads): the next run's plan estimates
// from it instead of from a constant. A damaged or foreign file is started over, never an error:
// it only ever makes an estimate.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../fs/atomic-write";
import { mkdirPrivate } from "../fs/private-files";

export const STAGE_SPEEDS_FILE = "stage-speeds.json";

/** What a stage's speed depends on besides its steps: the same key means the same kind of step. */
export interface StageSpeedKey {
  stage: string;
  backend: string;
  /** "scratch", or the base's file name and size. */
  model: string;
  preset: string;
  /** "full", or the LoRA rank and targets. */
  lora: string;
  replicas: number;
}

const KEY_FIELDS = ["stage", "backend", "model", "preset", "lora", "replicas"] as const;

export function stageSpeedKey(k: StageSpeedKey): string {
  // "|" separates the fields; one inside a file name would shift them.
  return KEY_FIELDS.map((f) => String(k[f]).replaceAll("|", "/")).join("|");
}

function parseKey(key: string): StageSpeedKey | null {
  const parts = key.split("|");
  if (parts.length !== KEY_FIELDS.length) return null;
  return { stage: parts[0]!, backend: parts[1]!, model: parts[2]!, preset: parts[3]!, lora: parts[4]!, replicas: Number(parts[5]) };
}

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

/**
 * How long the last run of `preset` in this data folder took, stage by stage added up (the
 * stages recorded with the same backend, model, LoRA and threads as its latest record); null
 * when none ran here yet. What the preset picker says before a run, instead of a constant.
 */
export function lastRunSeconds(out: string, preset: string): { seconds: number; stages: number } | null {
  const entries = Object.entries(readStageSpeeds(out)).flatMap(([key, speed]) => {
    const k = parseKey(key);
    return k && k.preset === preset ? [{ k, speed }] : [];
  });
  if (!entries.length) return null;
  const latest = entries.reduce((a, b) => (b.speed.at > a.speed.at ? b : a)).k;
  const run = entries.filter(({ k }) => k.backend === latest.backend && k.model === latest.model && k.lora === latest.lora && k.replicas === latest.replicas);
  return { seconds: run.reduce((t, e) => t + e.speed.durationSec, 0), stages: run.length };
}
