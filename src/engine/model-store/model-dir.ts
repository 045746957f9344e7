// A model as a Hugging Face directory (config.json, model.safetensors, tokenizer.json): what
// every post-training stage reads and writes, what `repotune eval --model DIR` and the GGUF
// export take. Optimizer state and resumable checkpoints are the trainer's business
// (src/engine/checkpoint); a stage's output here is its final model only.
import { basename, join } from "node:path";
import { adapterBasePath, isAdapterFolder, writeAdapterBase } from "../../core/formats/adapter-folder";
import { readBaseModel } from "../../core/formats/base-model";
import { attachLora, LoraAdapters, loadAdapterWeights, readAdapterConfig, saveAdapter } from "../lora";
import { writeFileAtomicSync } from "../../core/fs/atomic-write";
import { readSafetensors, writeSafetensors } from "../../core/formats/safetensors";
import { loadTokenizerJson, saveTokenizerJson, type Tokenizer } from "../../core/tokenizer";
import { MODEL_FILES, readModelConfig } from "../../core/formats/model-folder";
import type { Qwen2Config } from "../../core/formats/qwen2-config";
import { Qwen2Model, type WeightMap } from "../model";
import { mkdirPrivate } from "../../core/fs/private-files";

export { MODEL_FILES, readModelConfig };

export interface LoadedModel {
  dir: string;
  config: Qwen2Config;
  model: Qwen2Model;
  tokenizer: Tokenizer;
}

export function readModelWeights(dir: string): WeightMap {
  return readSafetensors(join(dir, MODEL_FILES.weights)).tensors;
}

export function loadModelDir(dir: string): LoadedModel {
  if (isAdapterFolder(dir)) return loadAdapterFolder(dir);
  const config = readModelConfig(dir);
  const tokenizer = loadTokenizerJson(join(dir, MODEL_FILES.tokenizer));
  if (tokenizer.vocabSize > config.vocab_size) {
    throw new Error(`${dir}: tokenizer.json has ${tokenizer.vocabSize} tokens but config.json's vocab_size is ${config.vocab_size}`);
  }
  const model = Qwen2Model.fromWeights(config, readModelWeights(dir));
  return { dir, config, model, tokenizer };
}

/** A base with LoRA adapters (core/formats/adapter-folder.ts): the base read where it is, the adapters attached and loaded. */
function loadAdapterFolder(dir: string): LoadedModel {
  const basePath = adapterBasePath(dir);
  const base = readBaseModel(basePath);
  const model = Qwen2Model.fromWeights(base.config, base.tensors);
  base.tensors.clear();
  try {
    const adapters = attachLora(model, readAdapterConfig(dir));
    adapters.basePath = basePath;
    loadAdapterWeights(adapters, dir);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { dir, config: base.config, model, tokenizer: base.tokenizer };
}

/**
 * Writes a model directory; each file is replaced atomically. A model with LoRA adapters over a
 * base from disk is written as an adapter folder: the adapters and the base's path, not a copy.
 */
export async function saveModelDir(dir: string, model: Qwen2Model, tokenizer: Tokenizer, weights?: WeightMap): Promise<void> {
  mkdirPrivate(dir); // 0700: see core/fs/private-files.ts
  if (model.adapter instanceof LoraAdapters && !weights) {
    const basePath = model.adapter.basePath;
    if (!basePath) throw new Error("saving adapters needs the base they adapt: these were attached to a model from no file");
    saveAdapter(dir, model.adapter, basename(basePath));
    writeAdapterBase(dir, basePath);
    return;
  }
  const w = weights ?? (await model.getWeights());
  writeSafetensors(
    join(dir, MODEL_FILES.weights),
    [...w].map(([name, t]) => [name, { dtype: "F32" as const, shape: t.shape, data: t.data }]),
  );
  saveTokenizerJson(tokenizer, join(dir, MODEL_FILES.tokenizer));
  writeFileAtomicSync(join(dir, MODEL_FILES.config), JSON.stringify(model.config, null, 2) + "\n");
}
