// Names inside a checkpoint root: one folder per saved step, Hugging Face's naming
// (checkpoint-<step>), each with a manifest written last, and a marker at the root naming the
// latest complete one, written after the folder is in place. A crash at any point leaves the
// marker on a complete checkpoint (the previous one, or the new one).
import * as fs from "node:fs";
import { join } from "node:path";

export const CONFIG_FILE = "config.json";
export const MODEL_FILE = "model.safetensors";
export const TOKENIZER_FILE = "tokenizer.json";
export const OPTIMIZER_FILE = "optimizer.safetensors";
export const TRAINER_STATE_FILE = "trainer_state.json";
/** Lists every file of the folder with its size and SHA-256; its presence marks the folder complete. */
export const MANIFEST_FILE = "checkpoint.json";
/** At the root: which checkpoint folder is the latest complete one. */
export const LATEST_MARKER = "latest.json";

export function checkpointDirName(step: number): string {
  return `checkpoint-${step}`;
}

/** Step of a checkpoint folder name, or undefined for anything else (temporary folders included). */
export function stepOfDirName(name: string): number | undefined {
  const m = /^checkpoint-(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Checkpoint folders under root, oldest first (complete or not: the manifest decides that). */
export function listCheckpointDirs(root: string): { name: string; step: number }[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, step: stepOfDirName(name) }))
    .filter((e): e is { name: string; step: number } => e.step !== undefined && fs.statSync(join(root, e.name)).isDirectory())
    .sort((a, b) => a.step - b.step);
}
