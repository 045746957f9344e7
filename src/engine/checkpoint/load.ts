// Opens a checkpoint (a folder, or a root whose latest.json names one), checks every file
// against the manifest (size, structure, SHA-256) before anything is used, and loads weights,
// optimizer state and trainer state into live objects. Every failure is a CheckpointError
// naming the file and what is wrong with it.
import * as fs from "node:fs";
import { basename, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { SafetensorsError, SafetensorsFile } from "../../core/formats/safetensors";
import type { AdamW } from "../optim/adamw";
import type { Trainer } from "../train/trainer";
import { parseTrainerState, TrainerStateError, type TrainerState } from "../train/trainer-state";
import type { MicroBatch } from "../train/types";
import { CheckpointError } from "./errors";
import { CONFIG_FILE, LATEST_MARKER, listCheckpointDirs, MANIFEST_FILE, stepOfDirName, MODEL_FILE, OPTIMIZER_FILE, TOKENIZER_FILE, TRAINER_STATE_FILE } from "./layout";
import { checkHash, checkSize, readManifest, type Manifest } from "./manifest";

export interface OpenedCheckpoint {
  dir: string;
  step: number;
  manifest: Manifest;
  /** Parsed config.json, when the checkpoint has one. */
  config?: unknown;
  /** tokenizer.json's text, when the checkpoint has one. */
  tokenizer?: string;
  trainerState?: TrainerState;
  /** Set when latest.json named a folder that is gone and an older complete one was used. */
  fellBackFrom?: string;
}

export interface OpenOptions {
  /** "full" (default): sizes, structure and SHA-256 of every file; "size": skip the hashing. */
  verify?: "full" | "size";
}

/** The checkpoint folder a path designates: itself if it has a manifest, else what root/latest.json names. */
export function resolveCheckpointDir(path: string): { dir: string; fellBackFrom?: string } {
  // A checkpoint folder itself (complete or not: readManifest says which), or a root.
  if (fs.existsSync(join(path, MANIFEST_FILE)) || stepOfDirName(basename(path)) !== undefined) return { dir: path };
  const markerPath = join(path, LATEST_MARKER);
  if (!fs.existsSync(markerPath)) {
    if (listCheckpointDirs(path).length) {
      // Folders but no marker: the first save crashed before its marker. None is known complete.
      throw new CheckpointError(markerPath, "missing, and no checkpoint folder here is known to be complete");
    }
    throw new CheckpointError(path, fs.existsSync(path) ? "no checkpoint here (no checkpoint.json or latest.json)" : "does not exist");
  }
  let marker: { checkpoint?: unknown };
  try {
    marker = JSON.parse(fs.readFileSync(markerPath, "utf8")) as { checkpoint?: unknown };
  } catch (err) {
    throw new CheckpointError(markerPath, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof marker.checkpoint !== "string" || marker.checkpoint.includes("/") || marker.checkpoint.includes("\\") || marker.checkpoint.startsWith(".")) {
    throw new CheckpointError(markerPath, `"checkpoint" is ${JSON.stringify(marker.checkpoint)}, not a checkpoint folder name`);
  }
  const dir = join(path, marker.checkpoint);
  if (fs.existsSync(dir)) return { dir };
  // Only when a re-save of the same step crashed between its two renames: use the newest complete one.
  const complete = listCheckpointDirs(path).filter((d) => fs.existsSync(join(path, d.name, MANIFEST_FILE)));
  const newest = complete[complete.length - 1];
  if (!newest) throw new CheckpointError(markerPath, `names ${marker.checkpoint}, which does not exist, and there is no other complete checkpoint`);
  return { dir: join(path, newest.name), fellBackFrom: marker.checkpoint };
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path, "utf8"));
  } catch (err) {
    throw new CheckpointError(path, `not valid JSON (${(err as Error).message})`);
  }
}

/** Opens and verifies a checkpoint. Small files are parsed; tensors are read later, on demand. */
export function openCheckpoint(path: string, options: OpenOptions = {}): OpenedCheckpoint {
  const { dir, fellBackFrom } = resolveCheckpointDir(path);
  const manifest = readManifest(dir);
  const entries = Object.entries(manifest.files);
  for (const [name, entry] of entries) checkSize(dir, name, entry);
  // Structure before hashes: "header is not valid JSON" says more than "checksum mismatch".
  for (const [name] of entries) {
    const file = join(dir, name);
    if (name.endsWith(".safetensors")) {
      try {
        SafetensorsFile.open(file).close();
      } catch (err) {
        if (err instanceof SafetensorsError) throw new CheckpointError(file, err.problem);
        throw err;
      }
    } else if (name.endsWith(".json")) {
      readJson(file);
    }
  }
  if ((options.verify ?? "full") === "full") for (const [name, entry] of entries) checkHash(dir, name, entry);

  const out: OpenedCheckpoint = { dir, step: manifest.step, manifest, ...(fellBackFrom ? { fellBackFrom } : {}) };
  if (manifest.files[CONFIG_FILE]) out.config = readJson(join(dir, CONFIG_FILE));
  if (manifest.files[TOKENIZER_FILE]) out.tokenizer = fs.readFileSync(join(dir, TOKENIZER_FILE), "utf8");
  if (manifest.files[TRAINER_STATE_FILE]) {
    const file = join(dir, TRAINER_STATE_FILE);
    try {
      out.trainerState = parseTrainerState(readJson(file));
    } catch (err) {
      if (err instanceof TrainerStateError) throw new CheckpointError(file, err.message);
      throw err;
    }
  }
  return out;
}

/** The path of a file the checkpoint must have, or an error saying what it lacks. */
export function requireFile(ckpt: OpenedCheckpoint, name: string, why: string): string {
  if (!ckpt.manifest.files[name]) throw new CheckpointError(join(ckpt.dir, name), `missing: ${why}`);
  return join(ckpt.dir, name);
}

/**
 * Assigns every tensor of a safetensors file to the variable of the same name, one tensor in
 * host memory at a time. Names and shapes must match both ways (`ignoreExtra` lists names the
 * file may hold without a variable, such as a tied lm_head.weight).
 */
export function loadWeightsInto(params: ReadonlyMap<string, tf.Variable>, file: string, ignoreExtra: readonly string[] = []): void {
  let st: SafetensorsFile;
  try {
    st = SafetensorsFile.open(file);
  } catch (err) {
    if (err instanceof SafetensorsError) throw new CheckpointError(file, err.problem);
    throw err;
  }
  try {
    const problems: string[] = [];
    for (const [name, v] of params) {
      const info = st.tensors.get(name);
      if (!info) problems.push(`no tensor "${name}"`);
      else if (info.shape.length !== v.shape.length || info.shape.some((d, i) => d !== v.shape[i])) {
        problems.push(`"${name}" has shape [${info.shape.join(", ")}], the model's is [${v.shape.join(", ")}]`);
      }
    }
    for (const name of st.tensors.keys()) if (!params.has(name) && !ignoreExtra.includes(name)) problems.push(`tensor "${name}" belongs to no parameter of the model`);
    if (problems.length) throw new CheckpointError(file, `does not fit the model: ${problems.slice(0, 6).join("; ")}${problems.length > 6 ? `; and ${problems.length - 6} more` : ""}`);
    for (const [name, v] of params) {
      const { data, shape } = st.readFloat32(name);
      tf.tidy(() => v.assign(tf.tensor(data, shape, "float32")));
    }
  } finally {
    st.close();
  }
}

/** Restores AdamW's moments and step from optimizer.safetensors. */
export function loadOptimizerInto(optimizer: AdamW, file: string): void {
  let st: SafetensorsFile;
  try {
    st = SafetensorsFile.open(file);
  } catch (err) {
    if (err instanceof SafetensorsError) throw new CheckpointError(file, err.problem);
    throw err;
  }
  try {
    if (!st.tensors.has("step")) throw new CheckpointError(file, 'no "step" tensor');
    const [step] = st.readNumbers("step");
    const { beta1, beta2, eps, weightDecay } = optimizer.options;
    const saved = st.metadata;
    const now: Record<string, string> = { beta1: String(beta1), beta2: String(beta2), eps: String(eps), weight_decay: String(weightDecay) };
    const differs = Object.entries(now).filter(([k, v]) => saved[k] !== undefined && saved[k] !== v);
    if (differs.length) {
      throw new CheckpointError(file, `saved with other AdamW settings (${differs.map(([k, v]) => `${k} ${saved[k]}, now ${v}`).join("; ")}): resuming would not continue the same run`);
    }
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const name of st.tensors.keys()) if (name !== "step") tensors.set(name, st.readFloat32(name));
    try {
      optimizer.importState({ step: step as number, tensors });
    } catch (err) {
      throw new CheckpointError(file, (err as Error).message.replace(/^AdamW state: /, ""));
    }
  } finally {
    st.close();
  }
}

export interface ResumeTargets<B extends MicroBatch> {
  trainer: Trainer<B>;
  /** Variables to fill from model.safetensors (the whole model when it all trains); leave out for LoRA (adapters load separately). */
  weights?: ReadonlyMap<string, tf.Variable>;
  /** Tensors model.safetensors may hold with no variable (a tied lm_head.weight). */
  ignoreExtra?: readonly string[];
}

/** Puts a trainer (and the model's weights) back where the checkpoint left them. */
export function resumeTraining<B extends MicroBatch>(ckpt: OpenedCheckpoint, targets: ResumeTargets<B>): void {
  const why = "this checkpoint cannot resume training";
  if (targets.weights) loadWeightsInto(targets.weights, requireFile(ckpt, MODEL_FILE, why), targets.ignoreExtra);
  loadOptimizerInto(targets.trainer.optimizer, requireFile(ckpt, OPTIMIZER_FILE, why));
  const stateFile = requireFile(ckpt, TRAINER_STATE_FILE, why);
  try {
    targets.trainer.restoreState(ckpt.trainerState as TrainerState);
  } catch (err) {
    if (err instanceof TrainerStateError) throw new CheckpointError(stateFile, err.message);
    throw err;
  }
}
