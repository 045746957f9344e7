// An adapter folder as one model in memory: its base's weights with the adapters merged in
// (W + scaling * B A), the base's configuration and tokenizer. What a merged GGUF is written
// from, and what a student distilled from a LoRA teacher starts from (its layers are the
// fine-tuned teacher's, not the bare base's).
import { join } from "node:path";
import type { Tokenizer } from "../tokenizer";
import { ADAPTER_WEIGHTS_FILE, adapterBasePath } from "./adapter-folder";
import { readBaseModel } from "./base-model";
import type { ModelTensor } from "./gguf/read-model";
import { mergeFactors, readLoraFactors } from "./hf-export/merge-lora";
import { readPeftConfig } from "./hf-export/peft-adapter-folder";
import type { Qwen2Config } from "./qwen2-config";

export interface MergedAdapterModel {
  config: Qwen2Config;
  tensors: Map<string, ModelTensor>;
  tokenizer: Tokenizer;
  basePath: string;
  /** Weights the adapters changed. */
  merged: number;
}

export function readMergedAdapterModel(adapterFolder: string): MergedAdapterModel {
  const basePath = adapterBasePath(adapterFolder);
  const base = readBaseModel(basePath);
  const factors = readLoraFactors(join(adapterFolder, ADAPTER_WEIGHTS_FILE), readPeftConfig(adapterFolder));
  const unknown = [...factors.pairs.keys()].filter((w) => !base.tensors.has(w));
  if (unknown.length) throw new Error(`${adapterFolder}: the adapters name ${unknown.slice(0, 3).join(", ")}, which ${basePath} does not have: they were trained over another base`);
  for (const name of factors.pairs.keys()) {
    const t = base.tensors.get(name)!;
    base.tensors.set(name, { shape: t.shape, data: mergeFactors(name, t.data, t.shape, factors) });
  }
  return { config: base.config, tensors: base.tensors, tokenizer: base.tokenizer, basePath, merged: factors.pairs.size };
}
