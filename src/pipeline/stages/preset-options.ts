// A preset (core/presets) as the options of each post-training stage, so the orchestrator and
// the benchmark run the stages the same way. Preference stages take a quarter of the learning
// rate: DPO and the reward model move a model that already works, and at the SFT rate DPO
// over-optimises (measured on the fixture: held-out exact match fell by half at the full rate).
import { DEFAULT_COMPLETION_SETTINGS } from "../../core/completion/context";
import type { Preset } from "../../core/presets";
import type { DistillStageOptions } from "../training/distillation";
import type { DpoStageOptions } from "../training/dpo-training";
import type { LmStageOptions } from "../training/lm-training";
import type { RewardStageOptions } from "../training/reward-training";
import type { TrainOptions } from "../../engine/train-loop";

export interface PosttrainOptions {
  pretrain: LmStageOptions;
  sft: LmStageOptions;
  dpo: DpoStageOptions;
  reward: RewardStageOptions;
  distill: DistillStageOptions;
  eval: { maxProbes: number; maxPairs: number; maxNewTokens: number; seed: number };
}

/** Each stage's options from the preset; `common` adds the signal, progress and logging. */
export function posttrainOptions(preset: Preset, seed: number, common: Partial<Pick<TrainOptions, "signal" | "onProgress">> = {}): PosttrainOptions {
  const base = { batchSize: preset.batchSize, seqLen: preset.teacher.contextLength, seed, ...common };
  const warm = (steps: number) => Math.min(preset.warmupSteps, Math.max(0, Math.floor(steps / 10)));
  const lm = (steps: number): LmStageOptions => ({ ...base, steps, learningRate: preset.learningRate, warmupSteps: warm(steps) });
  const pref = (steps: number) => ({ ...base, steps, learningRate: preset.learningRate / 4, warmupSteps: warm(steps) });
  return {
    pretrain: lm(preset.steps.pretrain),
    sft: lm(preset.steps.sft),
    dpo: {
      ...pref(preset.steps.dpo),
      beta: 0.1,
      lossType: "sigmoid",
      labelSmoothing: 0,
      // Enough pairs for a few epochs of the DPO steps, and a held-out set as large as the report's.
      syntheticPairs: Math.min(256, Math.max(32, preset.steps.dpo * preset.batchSize)),
      heldoutPairs: Math.min(preset.evalItems, 128),
      maxNewTokens: 32,
    },
    reward: pref(preset.steps.reward),
    distill: { ...lm(preset.steps.distill), studentLayers: preset.studentLayers, temperature: 2, alpha: 0.5, topK: 64 },
    // Evaluation asks as the editor does: its token limit and budget (core/completion/context).
    eval: { maxProbes: preset.evalItems, maxPairs: Math.min(preset.evalItems, 128), maxNewTokens: DEFAULT_COMPLETION_SETTINGS.maxTokens, seed },
  };
}
