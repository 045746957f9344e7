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
import type { RlStageOptions } from "../training/rl-training";
import type { TrainOptions } from "../../engine/train-loop";

export interface PosttrainOptions {
  pretrain: LmStageOptions;
  sft: LmStageOptions;
  dpo: DpoStageOptions;
  reward: RewardStageOptions;
  rl: RlStageOptions;
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
    // RLOO as TRL's export writes it (trl-settings: 4 generations, kl_coef 0.05, temperature 1),
    // at the preference rate; completions of one line (the held-out EM's unit), a small
    // per-token length penalty, and a KL budget past which the policy has left the reference
    // far enough that the reward model's scores no longer mean much.
    rl: {
      ...pref(preset.steps.rl),
      k: 4,
      temperature: 1,
      maxNewTokens: 24,
      beta: 0.05,
      lengthPenalty: 0.01,
      prompts: Math.min(512, Math.max(32, preset.steps.rl * preset.batchSize)),
      klBudget: 4,
      evalEvery: Math.max(1, Math.floor(preset.steps.rl / 4)),
      evalProbes: Math.min(preset.evalItems, 64),
    },
    distill: { ...lm(preset.steps.distill), studentLayers: preset.studentLayers, temperature: 2, alpha: 0.5, topK: 64 },
    // Evaluation asks as the editor does: its token limit and budget (core/completion/context).
    eval: { maxProbes: preset.evalItems, maxPairs: Math.min(preset.evalItems, 128), maxNewTokens: DEFAULT_COMPLETION_SETTINGS.maxTokens, seed },
  };
}
