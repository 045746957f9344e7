// Adapters alone on disk, in PEFT's layout: adapter_model.safetensors (factors under keys like
// base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight) and adapter_config.json.
// Megabytes instead of the model's gigabytes, and loadable by PEFT on top of the same base.
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { writeFileAtomicSync } from "../../core/fs/atomic-write";
import { SafetensorsFile, writeSafetensors, type TensorToWrite } from "../../core/formats/safetensors";
import type { LoraAdapters } from "./adapters";
import type { LoraFactor } from "../../core/formats/gguf/lora-adapter";
import { adapterConfigJson } from "../../core/formats/lora-config";
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, readAdapterConfigFile } from "../../core/formats/adapter-folder";
import { mkdirPrivate } from "../../core/fs/private-files";

export { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE };

/** The two files' contents, for a checkpoint's extra files or for saveAdapter. */
export function adapterFiles(adapters: LoraAdapters, baseModel: string | null = null) {
  const tensors: [string, TensorToWrite][] = [...adapters.params].map(([key, v]) => [key, { dtype: "F32", shape: v.shape, data: () => v.dataSync() as Float32Array }]);
  return {
    [ADAPTER_WEIGHTS_FILE]: { tensors, metadata: { format: "pt" } },
    [ADAPTER_CONFIG_FILE]: JSON.stringify(adapterConfigJson(adapters.config, baseModel), null, 2) + "\n",
  };
}

/**
 * The factors in PEFT's orientation (A [r, in], B [out, r]) by base weight name, and the alpha
 * that gives llama.cpp's alpha / r our scaling (rsLoRA's alpha / sqrt(r) included): what a GGUF
 * LoRA adapter holds (core/formats/gguf/lora-adapter.ts).
 */
export function adapterFactors(adapters: LoraAdapters): { factors: LoraFactor[]; rank: number; alpha: number } {
  const factors = adapters.targets.map((weightName) => {
    const pair = adapters.pair(weightName)!;
    return {
      weightName,
      a: { shape: pair.a.shape as [number, number], data: new Float32Array(pair.a.dataSync() as Float32Array) },
      b: { shape: pair.b.shape as [number, number], data: new Float32Array(pair.b.dataSync() as Float32Array) },
    };
  });
  return { factors, rank: adapters.config.r, alpha: adapters.scaling * adapters.config.r };
}

/** Writes adapter_model.safetensors and adapter_config.json into `dir`, each atomically. */
export function saveAdapter(dir: string, adapters: LoraAdapters, baseModel: string | null = null): void {
  mkdirPrivate(dir); // 0700: see core/fs/private-files.ts
  const files = adapterFiles(adapters, baseModel);
  writeSafetensors(join(dir, ADAPTER_WEIGHTS_FILE), files[ADAPTER_WEIGHTS_FILE].tensors, files[ADAPTER_WEIGHTS_FILE].metadata);
  writeFileAtomicSync(join(dir, ADAPTER_CONFIG_FILE), files[ADAPTER_CONFIG_FILE]);
}

/** Reads adapter_config.json from a folder. */
export const readAdapterConfig = readAdapterConfigFile;

/**
 * Loads the factors of adapter_model.safetensors into adapters built with the same config on
 * the same base: every key must be there with the right shape, and nothing else.
 */
export function loadAdapterWeights(adapters: LoraAdapters, dir: string): void {
  const file = join(dir, ADAPTER_WEIGHTS_FILE);
  // A SafetensorsError already names the file and what is wrong.
  const st = SafetensorsFile.open(file);
  try {
    const problems: string[] = [];
    for (const [key, v] of adapters.params) {
      const info = st.tensors.get(key);
      if (!info) problems.push(`no tensor "${key}"`);
      else if (info.shape.join(",") !== v.shape.join(",")) problems.push(`"${key}" has shape [${info.shape.join(", ")}], expected [${v.shape.join(", ")}]`);
    }
    for (const key of st.tensors.keys()) if (!adapters.params.has(key)) problems.push(`"${key}" belongs to no adapter of this model`);
    if (problems.length) throw new Error(`${file}: does not fit these adapters: ${problems.slice(0, 6).join("; ")}${problems.length > 6 ? `; and ${problems.length - 6} more` : ""}`);
    for (const [key, v] of adapters.params) {
      const { data, shape } = st.readFloat32(key);
      tf.tidy(() => v.assign(tf.tensor(data, shape, "float32")));
    }
  } finally {
    st.close();
  }
}
