// A model that is a base plus LoRA adapters, as a stage writes it: PEFT's two files
// (adapter_model.safetensors, adapter_config.json) and repotune-base.json naming the local base
// it adapts (PEFT's base_model_name_or_path is a hub id, which a base found on disk may not
// have). Every place that takes a model folder (evaluation, export, the next stage) recognises
// one by these files and reads the base from where the user keeps it, never a copy of it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../fs/atomic-write";
import { parseAdapterConfig, peftKey, type LoraConfig } from "./lora-config";
import { SafetensorsFile } from "./safetensors";
import type { LoraFactor } from "./gguf/lora-adapter";

export const ADAPTER_WEIGHTS_FILE = "adapter_model.safetensors";
export const ADAPTER_CONFIG_FILE = "adapter_config.json";
export const ADAPTER_BASE_FILE = "repotune-base.json";

export function isAdapterFolder(dir: string): boolean {
  return existsSync(join(dir, ADAPTER_CONFIG_FILE)) && existsSync(join(dir, ADAPTER_BASE_FILE));
}

export function writeAdapterBase(dir: string, basePath: string): void {
  writeFileAtomicSync(join(dir, ADAPTER_BASE_FILE), JSON.stringify({ base: basePath }, null, 2) + "\n");
}

/** The base an adapter folder adapts; a clear error when it is gone. */
export function adapterBasePath(dir: string): string {
  const file = join(dir, ADAPTER_BASE_FILE);
  let base: unknown;
  try {
    base = (JSON.parse(readFileSync(file, "utf8")) as { base?: unknown }).base;
  } catch (err) {
    throw new Error(`${file}: cannot be read (${(err as Error).message}); fine-tune again to rewrite it`, { cause: err });
  }
  if (typeof base !== "string") throw new Error(`${file}: names no base model; fine-tune again to rewrite it`);
  if (!existsSync(base)) throw new Error(`the adapters in ${dir} were trained over ${base}, which is no longer there: put the base back, or fine-tune again from another`);
  return base;
}

export function readAdapterConfigFile(dir: string): LoraConfig {
  const file = join(dir, ADAPTER_CONFIG_FILE);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : `not valid JSON (${(err as Error).message})`}`, { cause: err });
  }
  return parseAdapterConfig(json, file);
}

/**
 * The factors of an adapter folder by base weight name, in PEFT's orientation, for the GGUF
 * adapter llama.cpp loads: `weightNames` are the base's adapted projections (the config's
 * target modules in every layer).
 */
export function readAdapterFactors(dir: string, weightNames: readonly string[]): { factors: LoraFactor[]; config: LoraConfig } {
  const config = readAdapterConfigFile(dir);
  const st = SafetensorsFile.open(join(dir, ADAPTER_WEIGHTS_FILE));
  try {
    const factors: LoraFactor[] = [];
    for (const weightName of weightNames) {
      const a = st.tensors.has(peftKey(weightName, "A")) ? st.readFloat32(peftKey(weightName, "A")) : undefined;
      const b = st.tensors.has(peftKey(weightName, "B")) ? st.readFloat32(peftKey(weightName, "B")) : undefined;
      if (!a || !b) continue;
      factors.push({ weightName, a: { shape: a.shape as [number, number], data: a.data }, b: { shape: b.shape as [number, number], data: b.data } });
    }
    if (factors.length === 0) throw new Error(`${join(dir, ADAPTER_WEIGHTS_FILE)}: holds no adapter of this base's projections`);
    return { factors, config };
  } finally {
    st.close();
  }
}
