// The two next-token stages. Continued pretraining: causal LM on pretrain.jsonl, documents
// packed with <|endoftext|> between them. SFT: sft.jsonl's FIM, docstring and commit pairs
// with the loss on completion tokens only (TRL's completion-only loss), FIM in PSM order.
import { join } from "node:path";
import type { Qwen2Model } from "../../engine/model";
import { padIdOf, type PromptCompletionRow } from "../../core/examples/encode-examples";
import { LmRows } from "../../engine/data/lm-rows";
import { DataParallel } from "../../engine/parallel/data-parallel";
import { lmLoss } from "../../engine/loss-fns";
import { pretrainRows, sftRows } from "../data/training-rows";
import { saveModelDir } from "../../engine/model-store/model-dir";
import { openModel, type ModelSource } from "../../engine/model-store/model-source";
import { dropCheckpoints, trainLoop, type CheckpointExtras, type TrainLoopResult, type TrainOptions } from "../../engine/train-loop";

export interface LmStageInputs {
  from: ModelSource;
  datasetDir: string;
  /** Which records train (data cleaning with the base); default all. */
  keepRecord?: (path: string | undefined, index: number) => boolean;
  /** Gets model/ (the trained model) and checkpoints/ (for resuming). */
  outDir: string;
}

export interface LmStageOptions extends TrainOptions {
  /** Tokens per training row (at most the model's context). */
  seqLen: number;
  /** Data-parallel replica threads besides this one (the wasm backend); 0 or absent: none. */
  replicas?: number;
}

export interface StageOutcome {
  status: "completed" | "cancelled";
  /** The trained model directory; null when the stage was cancelled (its checkpoint remains). */
  modelDir: string | null;
  train: TrainLoopResult;
  /** Training rows (LM) or pairs (DPO, reward) the stage drew from. */
  examples: number;
  notes: string[];
}

/** Rows in memory, model in memory: the core of both stages (tests call it directly). */
export async function trainLm(model: Qwen2Model, rows: readonly PromptCompletionRow[], padId: number, options: LmStageOptions, extras?: CheckpointExtras): Promise<TrainLoopResult> {
  if (rows.length === 0) throw new Error("no training rows: the dataset has nothing this stage can use");
  const data = new LmRows(rows, options.seqLen, padId);
  // Replicas hold base weights only (data-parallel.ts): adapters train on this thread.
  const replicas = model.adapter ? undefined : await startReplicas(model, options.replicas ?? 0, options.log);
  try {
    return await trainLoop(model.trainableVariables(), data, lmLoss(model), options, extras, replicas?.gradientSource());
  } finally {
    await replicas?.close();
  }
}

/** Replica threads that share each batch's rows (the same mean gradients); none when they cannot start. */
async function startReplicas(model: Qwen2Model, count: number, log?: (message: string) => void): Promise<DataParallel | undefined> {
  if (count <= 0) return undefined;
  try {
    const dp = await DataParallel.start(model, count, "wasm");
    log?.(`data parallel: ${dp.threads} threads (this one and ${count} replica${count > 1 ? "s" : ""}), each batch's rows split between them`);
    return dp;
  } catch (err) {
    log?.(`data parallelism unavailable, training on one thread: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
    return undefined;
  }
}

async function runLmStage(kind: "pretrain" | "sft", inputs: LmStageInputs, options: LmStageOptions): Promise<StageOutcome> {
  const opened = openModel(inputs.from);
  const { model, tokenizer } = opened;
  try {
    const seqLen = Math.min(options.seqLen, model.config.max_position_embeddings);
    const need = options.steps * options.batchSize * (options.gradientAccumulation ?? 1);
    const rowOptions = { seqLen, maxRows: Math.max(need, 64), seed: options.seed, ...(inputs.keepRecord ? { keep: inputs.keepRecord } : {}) };
    const rows = kind === "pretrain" ? pretrainRows(tokenizer, inputs.datasetDir, rowOptions) : sftRows(tokenizer, inputs.datasetDir, rowOptions);
    const notes: string[] = [];
    const train = await trainLm(model, rows, padIdOf(tokenizer), { ...options, seqLen, checkpointDir: join(inputs.outDir, "checkpoints") }, { config: opened.config, tokenizer: opened.tokenizerJson });
    // The steps the stage really took (a time budget may have cut the preset's).
    const used = train.steps * options.batchSize * (options.gradientAccumulation ?? 1);
    if (rows.length < used) notes.push(`${rows.length} ${kind} rows for ${used} row-steps: about ${(used / Math.max(rows.length, 1)).toFixed(1)} epochs`);
    let modelDir: string | null = null;
    if (train.status === "completed") {
      modelDir = join(inputs.outDir, "model");
      await saveModelDir(modelDir, model, tokenizer);
      dropCheckpoints(join(inputs.outDir, "checkpoints"));
    }
    return { status: train.status, modelDir, train, examples: rows.length, notes };
  } finally {
    model.dispose();
  }
}

/** Continued pretraining on pretrain.jsonl. */
export function runPretrainStage(inputs: LmStageInputs, options: LmStageOptions): Promise<StageOutcome> {
  return runLmStage("pretrain", inputs, options);
}

/** Supervised fine-tuning on sft.jsonl (completion-only loss). */
export function runSftStage(inputs: LmStageInputs, options: LmStageOptions): Promise<StageOutcome> {
  return runLmStage("sft", inputs, options);
}
