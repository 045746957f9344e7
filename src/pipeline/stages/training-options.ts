// What every training stage passes to the post-training runners: the preset's sizes, a seed,
// the cancel signal, and progress reports turned into protocol events.
import { availableParallelism } from "node:os";
import { posttrainOptions, type PosttrainOptions } from "./preset-options";
import type { PosttrainProgress } from "../../engine/train-loop";
import { CancelledError, type StageContext } from "../run/stage";
import { LORA_TRAINING } from "../../core/formats/lora-config";
import { loraPlan } from "./base-plan";

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

/** Shares of the run's minutes the LM stages may train: LoRA's always, every run's under --minutes. */
const LM_BUDGET_SHARE = { pretrain: 0.3, sft: 0.45, dpo: 0.15 };
/** Tokens a DPO row over a base keeps: two rows a pair must fit the wasm heap beside a 0.5B base. */
const LORA_DPO_SEQ = 128;

/**
 * Every stage's options from the preset (one mapping, shared with bench/posttrain.ts). Adapters
 * over a base train as Refact trains them (lr 3e-4, warm-up 20, weight decay 0.1), one row per
 * micro-batch (a 0.5B base's logits for four rows would not fit the wasm heap; the preset's
 * batch is kept by accumulation), and each LM stage for its share of the preset's minutes on
 * this machine's measured speed instead of a step count no laptop finishes.
 */
export function stageOptions(ctx: StageContext): PosttrainOptions {
  const o = posttrainOptions(ctx.preset, RUN_SEED, { signal: ctx.signal, onProgress: progressReporter(ctx) });
  const lm = { replicas: replicasFor(ctx), log: (m: string) => ctx.log(m), ...(ctx.timedStep ? { timed: ctx.timedStep } : {}) };
  if (!loraPlan(ctx)) {
    // --minutes N: the steps scaled by the preset's constant, then cut to what this machine's measured speed fits.
    const budget = (stage: "pretrain" | "sft") => (ctx.job.minutes ? { budgetSec: ctx.job.minutes * 60 * LM_BUDGET_SHARE[stage] } : {});
    return { ...o, pretrain: { ...o.pretrain, ...lm, ...budget("pretrain") }, sft: { ...o.sft, ...lm, ...budget("sft") } };
  }
  const lora = (stage: "pretrain" | "sft") => ({
    ...o[stage],
    ...lm,
    batchSize: 1,
    gradientAccumulation: ctx.preset.batchSize,
    learningRate: LORA_TRAINING.learningRate,
    warmupSteps: Math.min(LORA_TRAINING.warmupSteps, Math.floor(o[stage].steps / 10)),
    weightDecay: LORA_TRAINING.weightDecay,
    budgetSec: ctx.preset.estimatedCpuMinutes * 60 * LM_BUDGET_SHARE[stage],
  });
  const dpo = {
    ...o.dpo,
    batchSize: 1,
    gradientAccumulation: ctx.preset.batchSize,
    seqLen: Math.min(o.dpo.seqLen, LORA_DPO_SEQ),
    // A quarter of LoRA's SFT rate, as the preset's DPO takes a quarter of its own.
    learningRate: LORA_TRAINING.learningRate / 4,
    warmupSteps: Math.min(LORA_TRAINING.warmupSteps, Math.floor(o.dpo.steps / 10)),
    budgetSec: ctx.preset.estimatedCpuMinutes * 60 * LM_BUDGET_SHARE.dpo,
    // Each synthetic pair costs one completion of the base-sized policy (llama.cpp, seconds each).
    syntheticPairs: Math.min(o.dpo.syntheticPairs, 64),
    heldoutPairs: Math.min(o.dpo.heldoutPairs, 32),
    log: (m: string) => ctx.log(m),
  };
  return { ...o, pretrain: lora("pretrain"), sft: lora("sft"), dpo };
}

/** A runner's cancelled outcome becomes the orchestrator's cancellation. */
export function throwIfStageCancelled(status: "completed" | "cancelled"): void {
  if (status === "cancelled") throw new CancelledError();
}
