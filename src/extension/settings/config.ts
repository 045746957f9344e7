// Typed access to the `repotune.*` settings declared in package.json.
import * as vscode from "vscode";
import { DEFAULT_COMPLETION_SETTINGS, type CompletionSettings, type ModeSetting } from "../../core/completion/context";
import { FILTER_MODES, type FilterMode } from "../../core/math/filter-threshold";
import { DEFAULT_EXTRA_CONTEXT_TOKENS } from "../../core/completion/repo-prompt";
import { ACTIVATION_POLICIES, BACKENDS, PRESETS, type ActivationPolicy, type BackendName, type PresetName, type TrainingJob } from "../../core/protocol";

export interface RepoTuneSettings {
  preset: PresetName;
  backend: BackendName;
  activation: ActivationPolicy;
  completionsEnabled: boolean;
  debounceMs: number;
  /** The serving filter (issue 15): off, or the reward model's balanced or strict threshold. */
  completionFilter: FilterMode;
  /** Candidates per place for the reward model to pick among; 1: the greedy completion only. */
  completionBestOf: number;
  /** Budget, mode and token limit of each completion (core/completion/context). */
  completion: CompletionSettings;
  /** Empty: the extension's workspace storage. */
  dataFolder: string;
  /** A GGUF file, a model folder, or a name `repotune models` lists; empty: train from scratch. */
  baseModel: string;
  /** Empty: HF_ENDPOINT, else huggingface.co (hub/hub-endpoint). */
  hubEndpoint: string;
  maxWorkerHeapMb: number;
  /** repotune.training.lora and .loraRank. */
  lora: NonNullable<TrainingJob["lora"]>;
}

export const SETTINGS_SECTION = "repotune";

function pick<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === "string" && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function clampNumber(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

/** repotune.training.lora*: the job's LoRA choice (defaults: core/formats/lora-config.ts LORA_DEFAULTS). */
function loraSettings(c: vscode.WorkspaceConfiguration): NonNullable<TrainingJob["lora"]> {
  const r = c.get("training.loraRank");
  const rank = typeof r === "number" && Number.isInteger(r) && r >= 1 && r <= 1024 ? r : undefined;
  return { use: pick(c.get("training.lora"), ["auto", "always", "never"] as const, "auto"), ...(rank !== undefined ? { r: rank, alpha: 2 * rank } : {}) };
}

export function readSettings(scope?: vscode.ConfigurationScope): RepoTuneSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  return {
    preset: pick(c.get("preset"), PRESETS, "tiny"),
    backend: pick(c.get("backend"), BACKENDS, "auto"),
    activation: pick(c.get("activation"), ACTIVATION_POLICIES, "if-better"),
    completionsEnabled: c.get<boolean>("completions.enabled") !== false,
    debounceMs: clampNumber(c.get("completions.debounceMs"), 0, 5000, 250),
    completionFilter: pick(c.get("completions.filter"), FILTER_MODES, "off"),
    completionBestOf: Math.round(clampNumber(c.get("completions.bestOf"), 1, 8, 1)),
    completion: {
      maxTokens: Math.round(clampNumber(c.get("completions.maxTokens"), 1, 512, DEFAULT_COMPLETION_SETTINGS.maxTokens)),
      budget: {
        prefixTokens: Math.round(clampNumber(c.get("completions.prefixTokens"), 16, 8192, DEFAULT_COMPLETION_SETTINGS.budget.prefixTokens)),
        suffixTokens: Math.round(clampNumber(c.get("completions.suffixTokens"), 0, 4096, DEFAULT_COMPLETION_SETTINGS.budget.suffixTokens)),
        extraTokens: Math.round(clampNumber(c.get("completions.extraContextTokens"), 0, 2048, DEFAULT_EXTRA_CONTEXT_TOKENS)),
      },
      mode: pick<ModeSetting>(c.get("completions.mode"), ["auto", "line", "block"], DEFAULT_COMPLETION_SETTINGS.mode),
    },
    dataFolder: typeof c.get("dataFolder") === "string" ? (c.get<string>("dataFolder") ?? "") : "",
    baseModel: typeof c.get("baseModel") === "string" ? (c.get<string>("baseModel") ?? "").trim() : "",
    hubEndpoint: typeof c.get("hub.endpoint") === "string" ? (c.get<string>("hub.endpoint") ?? "").trim() : "",
    maxWorkerHeapMb: clampNumber(c.get("training.maxHeapMb"), 512, 65536, 4096),
    lora: loraSettings(c),
  };
}
