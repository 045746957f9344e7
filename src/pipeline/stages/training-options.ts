// What every training stage passes to the post-training runners: the preset's sizes, a seed,
// the cancel signal, and progress reports turned into protocol events.
import { availableParallelism } from "node:os";
import { posttrainOptions, type PosttrainOptions } from "./preset-options";
import type { PosttrainProgress } from "../../engine/train-loop";
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

/**
 * Replica threads of the language-model stages: on wasm, where Node runs one engine a thread,
 * one a spare core (at most 3; measured on 2 cores, see bench/README "tune"), for models whose
 * steps are long enough to pay for the exchange: the tiny preset's 256-wide model trains 2.0x
 * faster on two threads, the micro preset's 64-wide one no faster (7 s a stage either way).
 * None on a GPU.
 */
export function replicasFor(ctx: Pick<StageContext, "backend" | "job" | "preset">, cores = availableParallelism()): number {
  if (ctx.backend !== "wasm") return 0;
  if (ctx.job.replicas !== undefined) return ctx.job.replicas;
  return ctx.preset.teacher.hiddenSize >= 256 ? Math.max(0, Math.min(cores - 1, 3)) : 0;
}

/** Every stage's options from the preset (one mapping, shared with bench/posttrain.ts). */
export function stageOptions(ctx: StageContext): PosttrainOptions {
  const o = posttrainOptions(ctx.preset, RUN_SEED, { signal: ctx.signal, onProgress: progressReporter(ctx) });
  const lm = { replicas: replicasFor(ctx), log: (m: string) => ctx.log(m) };
  return { ...o, pretrain: { ...o.pretrain, ...lm }, sft: { ...o.sft, ...lm } };
}

/** A runner's cancelled outcome becomes the orchestrator's cancellation. */
export function throwIfStageCancelled(status: "completed" | "cancelled"): void {
  if (status === "cancelled") throw new CancelledError();
}
