// What a run does with its base: whether all of its weights can train on this backend, and
// the reason a training stage gives when it cannot. Full fine-tuning holds the weights, their
// gradients and AdamW's two moments in float32: 16 bytes a parameter before activations. The
// wasm backend's heap is 32-bit (4 GiB), so a 0.5B base (494M parameters, ~7.9 GB) does not fit;
// such a base is evaluated and served as it is until LoRA adapters train it.
import { totalmem } from "node:os";
import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { readGguf } from "../../core/formats/gguf";
import { readBaseConfig } from "../../core/formats/base-model";
import { defaultStudentLayers } from "../../engine/model/student-init";
import { readHfConfig } from "../../core/formats/hf-model";
import { countParameters } from "../../core/formats/qwen2-config";
import { isGgufFile } from "../../serve/model-gguf";
import type { StageContext, StageResult } from "../run/stage";
import { LORA_DEFAULTS, validateLoraConfig, type LoraConfig } from "../../core/formats/lora-config";

const BYTES_PER_TRAINED_PARAMETER = 16;
const WASM_HEAP_BYTES = 4 * 2 ** 30;
/** Activations, the tokenizer and the runtime need room beside the optimizer state. */
const HEADROOM = 0.6;

function millions(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)}B` : n >= 1e7 ? `${Math.round(n / 1e6)}M` : `${(n / 1e6).toFixed(2)}M`;
}

export function baseParameters(path: string): number {
  if (isGgufFile(path)) return readGguf(path).tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  return countParameters(readHfConfig(path).config);
}

/** The student a LoRA teacher over this base distils into: half its layers at its width; and why it cannot train here, if it cannot. */
export function baseStudent(path: string, backend: string): { layers: number; problem: string | null } {
  const config = readBaseConfig(path);
  const layers = defaultStudentLayers(config.num_hidden_layers);
  return { layers, problem: studentTrainingProblem(countParameters({ ...config, num_hidden_layers: layers }), layers, backend) };
}

/** Null when a model of `params` parameters can train all of them on `backend`, else what stops it, in words. */
export function trainsWhole(params: number, backend: string, memoryBytes = totalmem()): { needBytes: number; limitBytes: number } | null {
  const need = params * BYTES_PER_TRAINED_PARAMETER;
  const limit = (backend === "wasm" || backend === "cpu" ? Math.min(WASM_HEAP_BYTES, memoryBytes) : memoryBytes) * HEADROOM;
  return need <= limit ? null : { needBytes: need, limitBytes: limit };
}

const gb = (b: number): string => `${(b / 1e9).toFixed(1)} GB`;

/** Null when every weight of the base can train on `backend`, else why not. */
export function fullTrainingProblem(path: string, backend: string, memoryBytes = totalmem()): string | null {
  const params = baseParameters(path);
  const problem = trainsWhole(params, backend, memoryBytes);
  if (!problem) return null;
  return (
    `the base ${basename(path)} has ${millions(params)} parameters: training all of them takes about ${gb(problem.needBytes)}, ` +
    `more than the ${backend} backend has here (${gb(problem.limitBytes)} usable). This version evaluates and serves the base as it is; ` +
    `fine-tuning a base this size needs LoRA adapters over its frozen weights`
  );
}

/** Null when a student of `params` parameters can train whole on `backend`, else the distillation stage's reason to skip. */
export function studentTrainingProblem(params: number, layers: number, backend: string, memoryBytes = totalmem()): string | null {
  const problem = trainsWhole(params, backend, memoryBytes);
  if (!problem) return null;
  return (
    `a student of ${layers} layers at the teacher's width has ${millions(params)} parameters: training them takes about ${gb(problem.needBytes)}, ` +
    `more than the ${backend} backend has here (${gb(problem.limitBytes)} usable), so the fine-tuned teacher serves; a GPU backend (webgpu) trains such a student`
  );
}

/** A base this size is a pretrained model worth keeping as it is: adapters train, it stays frozen. */
const LORA_FROM_PARAMETERS = 100e6;

/**
 * The adapters a run trains over its base, or null when it trains all of the base's weights (or
 * has no base). "auto": LoRA for a base of 100M parameters or more, or one too large to train
 * whole on this backend; "never" leaves such a base to skipWithoutModel.
 */
export function loraPlan(ctx: Pick<StageContext, "artifacts" | "backend" | "job">): LoraConfig | null {
  const base = ctx.artifacts.base;
  const choice = ctx.job.lora ?? {};
  const use = choice.use ?? "auto";
  if (!base || use === "never") return null;
  if (use === "auto" && baseParameters(base) < LORA_FROM_PARAMETERS && !fullTrainingProblem(base, ctx.backend)) return null;
  const { use: _use, ...overrides } = choice;
  const config = { ...LORA_DEFAULTS, ...overrides, targetModules: [...(overrides.targetModules ?? LORA_DEFAULTS.targetModules)] };
  validateLoraConfig(config);
  return config;
}

/**
 * Why a preference or distillation stage does not run on adapters over a base yet: the SFT
 * adapters are the teacher, and the report compares them with the base.
 */
export function notOnAdapters(stage: string): string {
  return `${stage} does not run over LoRA adapters of a base yet: this run trains continued-pretraining, SFT and DPO adapters, and the last of them is the model evaluated, exported and served`;
}

/**
 * For a stage that finds nothing to train from: in a run from a base too large to train, it
 * is skipped with the reason (the base serves); in any other run that is a bug upstream.
 */
export function skipWithoutModel(ctx: Pick<StageContext, "artifacts" | "backend">, need: string): StageResult {
  const base = ctx.artifacts.base;
  const reason = base ? fullTrainingProblem(base, ctx.backend)?.concat(" (LoRA was turned off: --lora never)") ?? null : null;
  if (reason) return { artifacts: {}, skippedReason: reason };
  throw new Error(need);
}

/**
 * What identifies a base for the skip-unchanged-work hashes: its path, and each file's size
 * and modification time. Bases are read-only and large (hashing 1.6 GB on every run would
 * cost seconds), and a changed file changes its size or time.
 */
export function baseIdentity(path: string | undefined): unknown {
  if (!path) return null;
  const files = statSync(path).isDirectory() ? readdirSync(path).sort().map((n) => join(path, n)) : [path];
  return { path, files: files.map((f) => { const s = statSync(f); return [basename(f), s.size, Math.round(s.mtimeMs)]; }) };
}
