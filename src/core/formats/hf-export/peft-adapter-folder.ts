// The PEFT folder of an adapter run: adapter_model.safetensors (already by PEFT's key names,
// engine/lora/io.ts) and adapter_config.json whose base_model_name_or_path names the base as
// another machine finds it (a hub id) rather than as this one had it (a local path).
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../fs/atomic-write";

export const PEFT_FILES = { weights: "adapter_model.safetensors", config: "adapter_config.json" } as const;

export interface PeftAdapterSettings {
  r: number;
  alpha: number;
  dropout: number;
  targetModules: string[];
}

export function hasPeftAdapter(checkpointDir: string): boolean {
  return existsSync(join(checkpointDir, PEFT_FILES.weights)) && existsSync(join(checkpointDir, PEFT_FILES.config));
}

export interface PeftConfig extends Record<string, unknown> {
  r: number;
  lora_alpha: number;
  target_modules: unknown[];
  use_rslora?: boolean;
}

/** adapter_config.json, checked for what merging and the card need. */
export function readPeftConfig(dir: string): PeftConfig {
  const configPath = join(dir, PEFT_FILES.config);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(configPath, "utf8"));
  } catch (err) {
    throw new Error(`${configPath}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  // `null` or `[]` is valid JSON too; and r = 0 would merge the adapter scaled by alpha / 0.
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${configPath}: not a LoRA adapter config (not a JSON object)`);
  const config = parsed as Record<string, unknown>;
  const positive = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;
  if (!positive(config.r) || !Number.isInteger(config.r) || !positive(config.lora_alpha) || !Array.isArray(config.target_modules)) {
    throw new Error(`${configPath}: not a LoRA adapter config (r, a positive integer, lora_alpha, a positive number, and target_modules, a list, are needed)`);
  }
  if (config.use_dora === true) throw new Error(`${configPath}: DoRA adapters are not supported; train a plain LoRA adapter`);
  return config as PeftConfig;
}

/** Copies the adapter into `outDir` with base_model_name_or_path set; returns its settings. */
export function writePeftAdapterFolder(checkpointDir: string, outDir: string, baseModel: string | null): PeftAdapterSettings {
  const config = readPeftConfig(checkpointDir);
  const { r, lora_alpha: alpha } = config;
  mkdirSync(outDir, { recursive: true });
  copyFileSync(join(checkpointDir, PEFT_FILES.weights), join(outDir, PEFT_FILES.weights));
  writeFileAtomicSync(join(outDir, PEFT_FILES.config), JSON.stringify({ ...config, base_model_name_or_path: baseModel }, null, 2) + "\n");
  return { r, alpha, dropout: typeof config.lora_dropout === "number" ? config.lora_dropout : 0, targetModules: (config.target_modules as unknown[]).map(String) };
}
