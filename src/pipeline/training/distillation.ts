// Distillation into a smaller student: the teacher's top-k distributions over pretraining text
// and SFT completions are computed once and stored; the teacher is then dropped, the student
// built from its layers, and trained with alpha T^2 KL(teacher_T || student_T) + (1 - alpha) CE.
import { existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { TeacherTargetsReader } from "../../core/formats/teacher-targets";
import { Qwen2Model } from "../../engine/model";
import { DISTILL_DEFAULTS, type DistillOptions } from "../../engine/objectives";
import { padIdOf } from "../../core/examples/encode-examples";
import { DistillRows } from "../../engine/data/distill-rows";
import { distillLossFn } from "../../engine/loss-fns";
import { pretrainRows, sftRows } from "../data/training-rows";
import type { StageOutcome } from "./lm-training";
import { loadTokenizerJson, serializeTokenizerJson } from "../../core/tokenizer";
import { llamaTopK, withLlamaScorer } from "../../serve/llama-passes";
import { loadModelDir, MODEL_FILES, readModelConfig, readModelWeights, saveModelDir } from "../../engine/model-store/model-dir";
import { shuffled } from "../../core/random/sample";
import { defaultStudentLayers, studentFromTeacher } from "../../engine/model/student-init";
import { writeTeacherTargets, writeTeacherTargetsWith } from "../../engine/inference/teacher-pass";
import { dropCheckpoints, trainLoop, type TrainOptions } from "../../engine/train-loop";
import { mkdirPrivate } from "../../core/fs/private-files";
import { adapterBasePath, isAdapterFolder } from "../../core/formats/adapter-folder";
import { readMergedAdapterModel } from "../../core/formats/merged-adapter-model";
import { readGguf, tokenizerFromGguf } from "../../core/formats/gguf";
import { readBaseConfig } from "../../core/formats/base-model";
import { isGgufFile } from "../../serve/model-gguf";
import type { Qwen2Config } from "../../core/formats/qwen2-config";
import type { Tokenizer } from "../../core/tokenizer";
import type { WeightMap } from "../../engine/model/weights";

export const TEACHER_TARGETS_FILE = "teacher-targets.bin";

export interface DistillStageInputs {
  /** The model to distil (the DPO model, or SFT's when DPO was skipped). */
  teacherDir: string;
  datasetDir: string;
  /** Gets teacher-targets.bin, model/ (the student) and checkpoints/. */
  outDir: string;
}

export interface DistillStageOptions extends TrainOptions, Partial<DistillOptions> {
  seqLen: number;
  /** Student depth; default half the teacher's. */
  studentLayers?: number;
  /** Teacher tokens kept per position (default 64). */
  topK?: number;
  /** The teacher pass on llama.cpp (default; tfjs when llama.cpp cannot) or on tfjs. */
  teacherEngine?: "llama" | "tfjs";
  /** Called while the teacher pass runs (rows done of total). */
  onTeacherProgress?: (done: number, total: number) => void;
  log?: (message: string) => void;
}

export interface DistillOutcome extends StageOutcome {
  studentLayers: number;
  /** Teacher layer copied into each student layer. */
  layerMap: number[];
  teacherTargets: { path: string; bytes: number; positions: number; k: number } | null;
  /** What ran the teacher pass; null when an earlier attempt's file was reused. */
  teacherEngine: "llama" | "tfjs" | null;
}

/** An earlier attempt's targets are reused only when resuming, from the same teacher and k. */
function reusableTargets(path: string, resume: boolean, teacherDir: string, k: number): boolean {
  if (!resume) return false;
  try {
    const r = TeacherTargetsReader.open(path);
    const same = r.meta.teacher === teacherDir && r.meta.k === k;
    r.close();
    return same;
  } catch {
    return false; // unreadable: made again
  }
}

/** The teacher's configuration and tokenizer: a model folder's own, or a LoRA teacher's base's. */
export function teacherModelInfo(dir: string): { config: Qwen2Config; tokenizer: Tokenizer } {
  if (!isAdapterFolder(dir)) return { config: readModelConfig(dir), tokenizer: loadTokenizerJson(join(dir, MODEL_FILES.tokenizer)) };
  const base = adapterBasePath(dir);
  return { config: readBaseConfig(base), tokenizer: isGgufFile(base) ? tokenizerFromGguf(readGguf(base), base) : loadTokenizerJson(join(base, MODEL_FILES.tokenizer)) };
}

/** The weights the student's layers are taken from: a LoRA teacher's are its base's with the adapters merged in. */
function teacherWeights(dir: string): WeightMap {
  return isAdapterFolder(dir) ? readMergedAdapterModel(dir).tensors : readModelWeights(dir);
}

export async function runDistillStage(inputs: DistillStageInputs, options: DistillStageOptions): Promise<DistillOutcome> {
  const log = options.log ?? (() => undefined);
  const temperature = options.temperature ?? DISTILL_DEFAULTS.temperature;
  const alpha = options.alpha ?? DISTILL_DEFAULTS.alpha;
  const k = options.topK ?? 64;
  mkdirPrivate(inputs.outDir); // 0700: see core/fs/private-files.ts
  const targetsPath = join(inputs.outDir, TEACHER_TARGETS_FILE);

  // 1. The teacher pass (skipped when a finished file from an earlier, cut-off attempt is there).
  const { config: teacherConfig, tokenizer } = teacherModelInfo(inputs.teacherDir);
  const padId = padIdOf(tokenizer);
  const seqLen = Math.min(options.seqLen, teacherConfig.max_position_embeddings);
  const studentLayers = options.studentLayers ?? defaultStudentLayers(teacherConfig.num_hidden_layers);
  const kk = Math.min(k, teacherConfig.vocab_size);
  let teacherEngine: "llama" | "tfjs" | null = null;
  if (existsSync(targetsPath) && !reusableTargets(targetsPath, options.resume ?? true, inputs.teacherDir, kk)) rmSync(targetsPath);
  if (!existsSync(targetsPath)) {
    const need = options.steps * options.batchSize * (options.gradientAccumulation ?? 1);
    const half = Math.max(1, Math.ceil(need / 2));
    const rowOptions = { seqLen, maxRows: half, seed: options.seed };
    const pre = pretrainRows(tokenizer, inputs.datasetDir, rowOptions).slice(0, half);
    const sft = sftRows(tokenizer, inputs.datasetDir, rowOptions).slice(0, half);
    const rows = shuffled([...pre, ...sft], options.seed + 3);
    if (rows.length === 0) throw new Error("no rows to distil on: pretrain.jsonl and sft.jsonl are empty");
    const started = performance.now();
    const pass = { signal: options.signal, onProgress: options.onTeacherProgress };
    let done: boolean | undefined;
    if ((options.teacherEngine ?? "llama") === "llama") {
      const viaLlama = await withLlamaScorer(
        inputs.teacherDir,
        (scorer) => writeTeacherTargetsWith(rows, targetsPath, { k: kk, vocabSize: teacherConfig.vocab_size, teacherName: inputs.teacherDir }, (row) => llamaTopK(scorer, row, kk), pass),
        log,
      );
      if (viaLlama) {
        done = viaLlama.result;
        teacherEngine = "llama";
      }
    }
    if (done === undefined) {
      const teacher = loadModelDir(inputs.teacherDir);
      try {
        done = await writeTeacherTargets(teacher.model, rows, padId, targetsPath, { k: kk, teacherName: inputs.teacherDir, ...pass });
        teacherEngine = "tfjs";
      } finally {
        teacher.model.dispose();
      }
    }
    if (!done) {
      const none = { status: "cancelled" as const, steps: 0, firstLoss: null, finalLoss: null, metrics: {}, tokens: 0, seconds: 0 };
      return { status: "cancelled", modelDir: null, train: none, examples: rows.length, notes: [], studentLayers, layerMap: [], teacherTargets: null, teacherEngine };
    }
    log(`teacher pass (${teacherEngine}): ${rows.length} rows (${pre.length} pretraining, ${sft.length} SFT), top-${kk}, ${(statSync(targetsPath).size / 2 ** 20).toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  // 2. The student, from the teacher's layers.
  const init = studentFromTeacher(teacherConfig, teacherWeights(inputs.teacherDir), studentLayers);
  log(`student: ${studentLayers} of ${teacherConfig.num_hidden_layers} layers (teacher layers ${init.layerMap.join(", ")}), width ${teacherConfig.hidden_size}`);
  const student = Qwen2Model.fromWeights(init.config, init.weights);
  const reader = TeacherTargetsReader.open(targetsPath);
  try {
    const data = new DistillRows(reader, seqLen, padId, temperature);
    const train = await trainLoop(student.trainableVariables(), data, distillLossFn(student, { temperature, alpha }), { ...options, checkpointDir: join(inputs.outDir, "checkpoints") }, { config: init.config, tokenizer: serializeTokenizerJson(tokenizer) });
    let modelDir: string | null = null;
    if (train.status === "completed") {
      modelDir = join(inputs.outDir, "model");
      await saveModelDir(modelDir, student, tokenizer);
      dropCheckpoints(join(inputs.outDir, "checkpoints"));
    }
    return {
      status: train.status,
      modelDir,
      train,
      examples: reader.count,
      notes: [],
      studentLayers,
      layerMap: init.layerMap,
      teacherTargets: { path: targetsPath, bytes: statSync(targetsPath).size, positions: reader.positions, k: reader.meta.k },
      teacherEngine,
    };
  } finally {
    reader.close();
    student.dispose();
  }
}
