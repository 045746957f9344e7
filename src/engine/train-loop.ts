// The loop every post-training stage runs: the engine's Trainer (AdamW, warm-up + cosine,
// clipping, seeded order) over a stage's data and loss, with progress reports, cancellation at
// step boundaries, and checkpoints a cut-off stage resumes from with the same losses.
import { existsSync, rmSync } from "node:fs";
import type * as tf from "@tensorflow/tfjs-core";
import { openCheckpoint, resumeTraining, saveCheckpoint } from "./checkpoint";
import { LATEST_MARKER } from "./checkpoint/layout";
import { Trainer, type DataSource, type GradientSource, type LossFn, type MicroBatch, type StepEvent } from "./train";
import { fitStepsToBudget } from "./train/step-budget";
import type { StepTiming } from "./train/step-timing";
import { join } from "node:path";
import type { ProgressEvent } from "../core/protocol";

/** One step's report: the fields of the protocol's progress event a stage can know. */
export type PosttrainProgress = Omit<ProgressEvent, "type" | "stage" | "rssMb">;

/** Options every training stage takes. */
export interface TrainOptions {
  steps: number;
  /** Examples per micro-batch (pairs for DPO and the reward model). */
  batchSize: number;
  gradientAccumulation?: number;
  learningRate: number;
  /** Default: a tenth of the steps. */
  warmupSteps?: number;
  /** Default 1 (Hugging Face's). */
  maxGradNorm?: number | null;
  weightDecay?: number;
  seed: number;
  signal?: AbortSignal;
  onProgress?: (p: PosttrainProgress) => void;
  /** Folder for resumable checkpoints (none when absent). */
  checkpointDir?: string;
  /**
   * Steps between checkpoints (default 10: a killed worker loses at most 10 steps, and a save
   * of the tiny preset's model with its optimizer state is about 40 MB).
   */
  checkpointEvery?: number;
  /** Continue from checkpointDir's latest checkpoint when there is one. Default true. */
  resume?: boolean;
  /** Seconds the stage may train: the steps are cut to what fits, from a timed micro-batch (train/step-budget.ts). */
  budgetSec?: number;
  /** The same micro-batch already timed (by the run's plan): the budget is fitted without timing it again. */
  timed?: StepTiming;
  /** Where the budget's fit is said. */
  log?: (message: string) => void;
}

export interface TrainLoopResult {
  status: "completed" | "cancelled";
  steps: number;
  firstLoss: number | null;
  /** Mean loss of the last (up to) 10 steps of this process. */
  finalLoss: number | null;
  /** Metrics of the last step. */
  metrics: Record<string, number>;
  tokens: number;
  seconds: number;
  /** The step a checkpoint put the run back at, when it resumed. */
  resumedFrom?: number;
}

export interface CheckpointExtras {
  config: unknown;
  tokenizer: string;
}

function withBudget<B extends MicroBatch>(params: ReadonlyMap<string, tf.Variable>, data: DataSource<B>, lossFn: LossFn<B>, options: TrainOptions): TrainOptions {
  const fit = fitStepsToBudget(params, data, lossFn, { ...options, budgetSec: options.budgetSec! });
  if (!fit.reused) options.log?.(`one step takes ${fit.stepSec.toFixed(1)} s here (${Math.round(fit.tokensPerSec)} tokens/s${options.timed ? ", timed by the run's plan" : ""}): ${fit.steps} of ${options.steps} steps fit the ${(options.budgetSec! / 60).toFixed(1)}-minute budget`);
  return { ...options, steps: fit.steps, warmupSteps: Math.min(options.warmupSteps ?? Math.floor(options.steps / 10), Math.floor(fit.steps / 10)) };
}

export async function trainLoop<B extends MicroBatch>(
  params: ReadonlyMap<string, tf.Variable>,
  data: DataSource<B>,
  lossFn: LossFn<B>,
  options: TrainOptions,
  extras?: CheckpointExtras,
  /** Where micro-batches are computed instead of lossFn on this thread (data-parallel replicas). */
  gradients?: GradientSource<B>,
): Promise<TrainLoopResult> {
  const started = performance.now();
  // A run that is not resuming must not pick up another run's checkpoints (other data, other
  // settings, another budget's fit): they are cleared first.
  if (options.checkpointDir && options.resume === false) rmSync(options.checkpointDir, { recursive: true, force: true });
  if (options.budgetSec !== undefined) options = withBudget(params, data, lossFn, options);
  const trainer = new Trainer(params, data, lossFn, {
    totalSteps: options.steps,
    microBatchSize: options.batchSize,
    gradientAccumulationSteps: options.gradientAccumulation ?? 1,
    peakLr: options.learningRate,
    warmupSteps: options.warmupSteps ?? Math.floor(options.steps / 10),
    maxGradNorm: options.maxGradNorm === undefined ? 1 : options.maxGradNorm,
    ...(options.weightDecay !== undefined ? { optimizer: { weightDecay: options.weightDecay } } : {}),
    seed: options.seed,
    ...(gradients ? { gradients } : {}),
  });
  const ckptDir = options.checkpointDir;
  let resumedFrom: number | undefined;
  try {
    if (ckptDir && (options.resume ?? true) && existsSync(join(ckptDir, LATEST_MARKER))) {
      resumeTraining(openCheckpoint(ckptDir), { trainer, weights: params });
      resumedFrom = trainer.step;
    }
    const save = () => {
      if (!ckptDir || !extras) return;
      saveCheckpoint(ckptDir, {
        step: trainer.step,
        config: extras.config,
        weights: params,
        tokenizer: extras.tokenizer,
        optimizer: trainer.optimizer,
        trainerState: trainer.exportState(),
      });
    };
    const every = options.checkpointEvery ?? 10;
    let firstLoss: number | null = null;
    const recent: number[] = [];
    let metrics: Record<string, number> = {};
    let tokens = 0;
    const result = await trainer.run({
      signal: options.signal,
      onStep: (e: StepEvent) => {
        if (firstLoss === null) firstLoss = e.loss;
        recent.push(e.loss);
        if (recent.length > 10) recent.shift();
        metrics = e.metrics;
        tokens += e.tokens;
        options.onProgress?.({ step: e.step, totalSteps: e.totalSteps, loss: e.loss, lr: e.lr, tokensPerSec: e.tokensPerSec, etaSec: e.etaSec, metrics: e.metrics });
        if (e.step % every === 0 && e.step < e.totalSteps) save();
      },
    });
    // A cancelled stage keeps where it got to; a finished one is written by the caller as a model.
    if (result.status === "cancelled" && trainer.step > (resumedFrom ?? 0)) save();
    return {
      status: result.status,
      steps: trainer.step,
      firstLoss,
      finalLoss: recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : null,
      metrics,
      tokens,
      seconds: (performance.now() - started) / 1000,
      ...(resumedFrom !== undefined ? { resumedFrom } : {}),
    };
  } finally {
    trainer.dispose();
  }
}

/**
 * Removes a finished stage's checkpoints once its model is saved: they hold the weights and
 * the optimizer's moments (three times the model), and a later run must start afresh anyway.
 */
export function dropCheckpoints(checkpointDir: string): void {
  rmSync(checkpointDir, { recursive: true, force: true });
}
