// What every training stage passes to the post-training runners: the preset's sizes, a seed,
// the cancel signal, and progress reports turned into protocol events.
import type { PosttrainProgress, TrainOptions } from "../posttrain/train-loop";
import { CancelledError, type StageContext } from "../run/stage";

/** One seed for the whole run: the same repository and preset give the same models. */
export const RUN_SEED = 1234;

export function progressReporter(ctx: StageContext): (p: PosttrainProgress) => void {
  return (p) =>
    ctx.progress({
      step: p.step,
      totalSteps: p.totalSteps,
      loss: Number.isFinite(p.loss) ? p.loss : 0,
      lr: p.lr,
      tokensPerSec: p.tokensPerSec,
      etaSec: p.etaSec,
      rssMb: process.memoryUsage().rss / 2 ** 20,
      metrics: p.metrics,
    });
}

export function trainOptions(ctx: StageContext, steps: number, overrides: Partial<TrainOptions> = {}): TrainOptions & { seqLen: number } {
  return {
    steps,
    batchSize: ctx.preset.batchSize,
    learningRate: ctx.preset.learningRate,
    warmupSteps: Math.min(ctx.preset.warmupSteps, Math.max(1, Math.floor(steps / 10))),
    seed: RUN_SEED,
    signal: ctx.signal,
    onProgress: progressReporter(ctx),
    resume: ctx.resume,
    seqLen: ctx.preset.teacher.contextLength,
    ...overrides,
  };
}

/** A runner's cancelled outcome becomes the orchestrator's cancellation. */
export function throwIfStageCancelled(status: "completed" | "cancelled"): void {
  if (status === "cancelled") throw new CancelledError();
}
