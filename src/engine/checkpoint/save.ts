// Saves a checkpoint folder: a Hugging Face model directory (config.json, model.safetensors,
// tokenizer.json) plus optimizer.safetensors and trainer_state.json, and any extra files
// (LoRA adapters). Every file is written atomically into a temporary folder, the manifest
// last; the folder is then renamed into place and only after that does the root's latest.json
// move to it. A crash at any moment leaves latest.json naming a complete checkpoint.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { fsyncDirSync, writeFileAtomicSync } from "../../core/fs/atomic-write";
import { writeSafetensors, type TensorToWrite } from "../../core/formats/safetensors";
import type { AdamW } from "../optim/adamw";
import type { TrainerState } from "../train/trainer-state";
import {
  CONFIG_FILE,
  checkpointDirName,
  LATEST_MARKER,
  listCheckpointDirs,
  MANIFEST_FILE,
  MODEL_FILE,
  OPTIMIZER_FILE,
  TOKENIZER_FILE,
  TRAINER_STATE_FILE,
} from "./layout";
import { describeFile, type Manifest } from "./manifest";
import { processAlive } from "../../core/process/process-alive";
import { mkdirPrivate, PRIVATE_DIR_MODE } from "../../core/fs/private-files";

/** A tensor in host memory, or a function giving it when the writer reaches it. */
export interface HostTensorLike {
  shape: readonly number[];
  data: Float32Array | (() => Float32Array);
}

/** Contents of an extra file: text, bytes, or the tensors of a safetensors file. */
export type CheckpointFile = string | Uint8Array | { tensors: Iterable<[string, TensorToWrite]>; metadata?: Record<string, string> };

export interface CheckpointContents {
  step: number;
  /** config.json: the model's Hugging Face config. */
  config?: unknown;
  /** model.safetensors, by Hugging Face name. */
  weights?: ReadonlyMap<string, tf.Tensor | HostTensorLike>;
  /** Default F32: a resumed run must see exactly the weights it saved. */
  weightsDtype?: "F32" | "F16" | "BF16";
  /** tokenizer.json, as text or as a parsed object. */
  tokenizer?: string | object;
  optimizer?: AdamW;
  trainerState?: TrainerState;
  /** More files by name (adapter_model.safetensors, adapter_config.json...). */
  files?: Record<string, CheckpointFile>;
}

export interface SaveOptions {
  /** Checkpoint folders to keep, newest first (default 2; 0 keeps all). The best one (trainer state) is kept too. */
  keepLast?: number;
}

export interface LatestMarker {
  format: "repotune-checkpoint-marker";
  checkpoint: string;
  step: number;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

function weightTensors(weights: ReadonlyMap<string, tf.Tensor | HostTensorLike>, dtype: "F32" | "F16" | "BF16"): [string, TensorToWrite][] {
  return [...weights].map(([name, t]) => {
    // Read each tensor only when the writer reaches it: one tensor at a time in host memory.
    const data = t instanceof tf.Tensor ? () => t.dataSync() as Float32Array : t.data;
    return [name, { dtype, shape: t.shape, data }];
  });
}

function optimizerTensors(optimizer: AdamW): { tensors: [string, TensorToWrite][]; metadata: Record<string, string> } {
  const tensors: [string, TensorToWrite][] = [...optimizer.stateTensors()].map(([name, t]) => [name, { dtype: "F32", shape: t.shape, data: () => t.dataSync() as Float32Array }]);
  tensors.push(["step", { dtype: "I64", shape: [], data: [optimizer.step] }]);
  const { beta1, beta2, eps, weightDecay } = optimizer.options;
  return { tensors, metadata: { format: "pt", optimizer: "AdamW", beta1: String(beta1), beta2: String(beta2), eps: String(eps), weight_decay: String(weightDecay) } };
}

function writeFile(path: string, content: CheckpointFile): void {
  if (typeof content === "string" || content instanceof Uint8Array) writeFileAtomicSync(path, content);
  else writeSafetensors(path, content.tensors, content.metadata ?? { format: "pt" });
}


/** Removes temporary folders left by saves that crashed (their process is gone). */
function removeLeftovers(root: string): void {
  for (const name of fs.readdirSync(root)) {
    const m = /^\.checkpoint-\d+\.(?:tmp|old)-(\d+)-[0-9a-f]+$/.exec(name);
    if (m && (Number(m[1]) === process.pid || !processAlive(Number(m[1])))) fs.rmSync(join(root, name), { recursive: true, force: true });
  }
}

/** Writes a checkpoint under `root` and returns its folder. Synchronous: files are written in order. */
export function saveCheckpoint(root: string, contents: CheckpointContents, options: SaveOptions = {}): string {
  const { step } = contents;
  if (!Number.isSafeInteger(step) || step < 0) throw new Error(`saveCheckpoint: step ${step} is not a whole number >= 0`);
  mkdirPrivate(root); // 0700: see core/fs/private-files.ts
  removeLeftovers(root);
  const name = checkpointDirName(step);
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const tmp = join(root, `.${name}.tmp-${tag}`);
  fs.mkdirSync(tmp, { mode: PRIVATE_DIR_MODE }); // renamed into place: the checkpoint folder itself
  try {
    const files: Record<string, CheckpointFile> = {};
    if (contents.config !== undefined) files[CONFIG_FILE] = json(contents.config);
    if (contents.weights) files[MODEL_FILE] = { tensors: weightTensors(contents.weights, contents.weightsDtype ?? "F32"), metadata: { format: "pt" } };
    if (contents.tokenizer !== undefined) files[TOKENIZER_FILE] = typeof contents.tokenizer === "string" ? contents.tokenizer : json(contents.tokenizer);
    if (contents.optimizer) files[OPTIMIZER_FILE] = optimizerTensors(contents.optimizer);
    if (contents.trainerState) files[TRAINER_STATE_FILE] = json(contents.trainerState);
    for (const [fileName, content] of Object.entries(contents.files ?? {})) {
      if (fileName in files || fileName === MANIFEST_FILE || fileName.includes("/") || fileName.includes("\\")) {
        throw new Error(`saveCheckpoint: extra file name "${fileName}" is reserved or not a plain file name`);
      }
      files[fileName] = content;
    }
    const manifest: Manifest = { format: "repotune-checkpoint", version: 1, step, created: new Date().toISOString(), files: {} };
    for (const [fileName, content] of Object.entries(files)) {
      writeFile(join(tmp, fileName), content);
      manifest.files[fileName] = describeFile(join(tmp, fileName));
    }
    // The manifest goes last: a folder without one was never finished.
    writeFileAtomicSync(join(tmp, MANIFEST_FILE), json(manifest));
    fsyncDirSync(tmp);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }

  const final = join(root, name);
  let old: string | undefined;
  if (fs.existsSync(final)) {
    // Saving a step again (after a resume): the old folder steps aside first; if we crash
    // before the next rename, loading falls back to the newest complete checkpoint.
    old = join(root, `.${name}.old-${tag}`);
    fs.renameSync(final, old);
  }
  fs.renameSync(tmp, final);
  fsyncDirSync(root);
  const marker: LatestMarker = { format: "repotune-checkpoint-marker", checkpoint: name, step };
  writeFileAtomicSync(join(root, LATEST_MARKER), json(marker));
  if (old) fs.rmSync(old, { recursive: true, force: true });
  rotate(root, name, options.keepLast ?? 2, contents.trainerState?.best_step ?? null);
  return final;
}

function rotate(root: string, latest: string, keepLast: number, bestStep: number | null): void {
  if (keepLast <= 0) return;
  const dirs = listCheckpointDirs(root);
  const keep = new Set(dirs.slice(-keepLast).map((d) => d.name));
  keep.add(latest);
  if (bestStep !== null) keep.add(checkpointDirName(bestStep));
  for (const d of dirs) if (!keep.has(d.name)) fs.rmSync(join(root, d.name), { recursive: true, force: true });
}
