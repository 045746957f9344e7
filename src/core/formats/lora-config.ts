// LoRA settings and their on-disk form, PEFT's adapter_config.json, so that adapters we save
// load in PEFT (PeftModel.from_pretrained) and adapters trained with PEFT load here. Plain data
// (no tensors): the engine's adapters (src/engine/lora), the pipeline and the exports share it.

/** Qwen2's attention and MLP projections: every linear layer of a decoder block. */
export const DEFAULT_TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] as const;

export interface LoraConfig {
  /** Rank of the update B A. */
  r: number;
  /** The update is scaled by alpha / r (alpha / sqrt(r) with rsLoRA). */
  alpha: number;
  /** Dropout on the adapter's input, in training only. */
  dropout: number;
  /** Projection module names (the last part of the weight's module path). */
  targetModules: string[];
  /** rsLoRA's scaling, alpha / sqrt(r). Default false. */
  useRslora?: boolean;
}

/**
 * The adapters a run trains over a base, as Refact fine-tunes Qwen2.5-Coder
 * (refact_utils/finetune/train_defaults.py, shared/notes/base-models.md): rank 16, alpha 32,
 * dropout 0.01, on every projection; trained at lr 3e-4 with 20 warm-up steps and weight decay 0.1.
 */
export const LORA_DEFAULTS: Readonly<LoraConfig> = Object.freeze({ r: 16, alpha: 32, dropout: 0.01, targetModules: [...DEFAULT_TARGET_MODULES] });
export const LORA_TRAINING = Object.freeze({ learningRate: 3e-4, warmupSteps: 20, weightDecay: 0.1 });

export function validateLoraConfig(c: LoraConfig): void {
  if (!Number.isInteger(c.r) || c.r < 1) throw new Error(`LoRA rank r must be a positive integer, got ${c.r}`);
  if (!(c.alpha > 0) || !Number.isFinite(c.alpha)) throw new Error(`LoRA alpha must be positive, got ${c.alpha}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`LoRA dropout must be in [0, 1), got ${c.dropout}`);
  if (!c.targetModules.length) throw new Error("LoRA needs at least one target module");
}

export function loraScaling(c: LoraConfig): number {
  return c.useRslora ? c.alpha / Math.sqrt(c.r) : c.alpha / c.r;
}

/** PEFT's key of a factor, from the base weight's Hugging Face name ("...q_proj.weight"). */
export function peftKey(weightName: string, factor: "A" | "B"): string {
  return `base_model.model.${weightName.replace(/\.weight$/, "")}.lora_${factor}.weight`;
}

/** The module name a weight belongs to ("model.layers.0.self_attn.q_proj.weight" -> "q_proj"). */
export function moduleOf(weightName: string): string | undefined {
  const m = /\.([^.]+)\.weight$/.exec(weightName);
  return m?.[1];
}

/** adapter_config.json as PEFT writes it for a LoRA on a causal LM. */
export function adapterConfigJson(c: LoraConfig, baseModel: string | null = null): Record<string, unknown> {
  return {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: baseModel,
    bias: "none",
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: c.alpha,
    lora_dropout: c.dropout,
    modules_to_save: null,
    peft_type: "LORA",
    r: c.r,
    rank_pattern: {},
    revision: null,
    target_modules: [...c.targetModules].sort(),
    task_type: "CAUSAL_LM",
    use_dora: false,
    use_rslora: c.useRslora ?? false,
  };
}

/** Reads adapter_config.json, refusing what these adapters do not implement. */
export function parseAdapterConfig(json: unknown, file = "adapter_config.json"): LoraConfig {
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (typeof json !== "object" || json === null) fail("not a JSON object");
  const o = json as Record<string, unknown>;
  if (o.peft_type !== "LORA") fail(`peft_type is ${JSON.stringify(o.peft_type)}, only "LORA" is supported`);
  if (o.use_dora === true) fail("DoRA adapters (use_dora) are not supported");
  if (o.fan_in_fan_out === true) fail("fan_in_fan_out adapters (GPT-2 Conv1D layout) are not supported");
  if (o.bias !== undefined && o.bias !== "none") fail(`bias "${String(o.bias)}" is not supported (only "none")`);
  for (const k of ["rank_pattern", "alpha_pattern"]) {
    const v = o[k];
    if (v && typeof v === "object" && Object.keys(v).length) fail(`${k} (per-module ranks or alphas) is not supported`);
  }
  const targets = typeof o.target_modules === "string" ? fail("target_modules as a regular expression is not supported") : o.target_modules;
  if (!Array.isArray(targets) || !targets.every((t) => typeof t === "string")) fail("target_modules is not a list of module names");
  const config: LoraConfig = {
    r: o.r as number,
    alpha: o.lora_alpha as number,
    dropout: (o.lora_dropout as number | undefined) ?? 0,
    targetModules: targets as string[],
    useRslora: o.use_rslora === true,
  };
  try {
    validateLoraConfig(config);
  } catch (err) {
    fail((err as Error).message);
  }
  return config;
}
