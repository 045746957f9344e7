// settings.json of a TRL export: what the exported Python scripts (templates/trl) read so that
// they train as the RepoTune run did. The scripts stay static files and only this is generated.
// Keys are snake_case because Python reads them and the LoRA ones are PEFT's own names
// (LoraConfig(r, lora_alpha, lora_dropout, target_modules)), so nothing converts them twice.
import type { Preset, StageSteps } from "../../presets";
import type { PresetName } from "../../protocol";
import { DEFAULT_COMPLETION_SETTINGS } from "../../completion/context";
import { FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX, FILE_SEP, REPO_NAME } from "../../tokenizer/special-tokens";
import { guessHubId } from "../hub-id";
import { LORA_DEFAULTS, type LoraConfig } from "../lora-config";

export const TRL_SETTINGS_FORMAT = "repotune-trl-settings";

/** LoRA as PEFT names it. */
export interface TrlLora {
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  target_modules: string[];
  use_rslora: boolean;
}

export interface TrlSettings {
  format: typeof TRL_SETTINGS_FORMAT;
  version: 1;
  run_id: string | null;
  preset: PresetName | null;
  /** What the scripts start from: a hub id, or a path ("./x", "../x" relative to the folder). */
  model: string;
  /** Where the run itself started, for the record and for a user choosing --model. */
  base: { path: string | null; kind: "gguf" | "hf" | null; hub_id: string | null; note: string };
  /** Null: the run trained every weight of a model made from scratch, and so do the scripts. */
  lora: TrlLora | null;
  data_dir: string;
  output_dir: string;
  train: {
    learning_rate: number;
    warmup_steps: number;
    per_device_batch_size: number;
    max_length: number;
    /** The run counts steps (sized for a CPU); a GPU job goes over the data instead. */
    epochs: number;
    seed: number;
    /** The optimizer steps each stage took in the RepoTune run, for comparison. */
    steps_in_run: StageSteps;
  };
  dpo: { beta: number; learning_rate: number };
  rl: { trainer: "rloo"; reward_model: string; num_generations: number; max_completion_length: number; beta: number; temperature: number; learning_rate: number };
  distill: { student: string | null; temperature: number; beta: number; lmbda: number; max_new_tokens: number; learning_rate: number };
  prompt_format: string;
}

/** LoRA as RepoTune describes it (core/formats/lora-config.ts). */
export type LoraSettings = Readonly<LoraConfig>;

/** The adapters a run trains over a base (lora-config.ts): the cluster scripts start from the same. */
export const DEFAULT_TRL_LORA: LoraSettings = LORA_DEFAULTS;

/** The seed of every RepoTune run (src/pipeline/stages/training-options.ts RUN_SEED). */
const SEED = 1234;

export interface TrlSettingsInput {
  preset: Preset;
  /** The base the run started from (its TrainingJob.base): a .gguf file or a Hugging Face folder. */
  base?: string;
  runId?: string;
  /** Default DEFAULT_TRL_LORA with a base; ignored without one. */
  lora?: LoraSettings;
  /** What the scripts start from, when not the base: default its hub id, else "../model". */
  model?: string;
  /** Default "../reward-model". */
  rewardModel?: string;
  /** The distillation student; default none (the scripts then take --student, else the base). */
  student?: string;
}

/** The model a run trained from scratch is exported to, next to the TRL folder. */
export const DEFAULT_MODEL_FOLDER = "../model";
export const DEFAULT_REWARD_MODEL_FOLDER = "../reward-model";

function baseOf(path: string | undefined): TrlSettings["base"] & { model: string } {
  if (!path) return { path: null, kind: null, hub_id: null, model: DEFAULT_MODEL_FOLDER, note: `trained from scratch: the scripts start from the run's own model, exported in Hugging Face format to ${DEFAULT_MODEL_FOLDER}` };
  const kind = /\.gguf$/i.test(path) ? "gguf" : "hf";
  const guess = guessHubId(path);
  if (guess) return { path, kind, hub_id: guess.id, model: guess.id, note: guess.how };
  if (kind === "hf") return { path, kind, hub_id: null, model: path, note: "a local Hugging Face folder: copy it where the training runs and pass --model FOLDER, or its hub id" };
  return { path, kind, hub_id: null, model: DEFAULT_MODEL_FOLDER, note: `a GGUF file, which TRL cannot train from: pass --model with the Hugging Face id of the same model (default ${DEFAULT_MODEL_FOLDER}, the run's model exported in Hugging Face format)` };
}

/**
 * The run's settings as the scripts want them. Mirrors src/pipeline/stages/preset-options.ts
 * (core cannot import the pipeline; the TRL export test checks they agree): the preset's
 * learning rate, a quarter of it for the preference stages, DPO's beta 0.1, the preset's batch
 * and context length.
 */
export function trlSettings(input: TrlSettingsInput): TrlSettings {
  const p = input.preset;
  const base = baseOf(input.base);
  const lora = input.base ? (input.lora ?? DEFAULT_TRL_LORA) : null;
  const preference = p.learningRate / 4;
  return {
    format: TRL_SETTINGS_FORMAT,
    version: 1,
    run_id: input.runId ?? null,
    preset: p.name,
    model: input.model ?? base.model,
    base: { path: base.path, kind: base.kind, hub_id: base.hub_id, note: base.note },
    lora: lora && { r: lora.r, lora_alpha: lora.alpha, lora_dropout: lora.dropout, target_modules: [...lora.targetModules], use_rslora: lora.useRslora ?? false },
    data_dir: "./dataset/data",
    output_dir: "./outputs",
    train: {
      learning_rate: p.learningRate,
      warmup_steps: p.warmupSteps,
      per_device_batch_size: p.batchSize,
      max_length: p.teacher.contextLength,
      epochs: 1,
      seed: SEED,
      steps_in_run: { ...p.steps },
    },
    dpo: { beta: 0.1, learning_rate: preference },
    // RLOO as DESIGN.md describes the RL stage; k = 4 samples a prompt, and TRL's own KL
    // coefficient and temperature. Completions as long as the editor asks for.
    rl: { trainer: "rloo", reward_model: input.rewardModel ?? DEFAULT_REWARD_MODEL_FOLDER, num_generations: 4, max_completion_length: DEFAULT_COMPLETION_SETTINGS.maxTokens, beta: 0.05, temperature: 1, learning_rate: preference },
    // Forward KL on the dataset's completions, as the distill stage. GKDTrainer's loss has no
    // temperature (RepoTune's softens at T = 2); its temperature only samples on-policy steps.
    distill: { student: input.student ?? null, temperature: 0.9, beta: 0, lmbda: 0, max_new_tokens: DEFAULT_COMPLETION_SETTINGS.maxTokens, learning_rate: p.learningRate },
    prompt_format:
      `sft.jsonl prompts are fill-in-the-middle prompts written as text with the special tokens, PSM order: ` +
      `${FIM_PREFIX}PREFIX${FIM_SUFFIX}SUFFIX${FIM_MIDDLE}, the completion is the middle; some start with the repository header ` +
      `${REPO_NAME}NAME\\n then ${FILE_SEP}PATH\\n. The base's tokenizer maps the token names to their ids; no chat template.`,
  };
}
