// A model as a Hugging Face directory (config.json, model.safetensors, tokenizer.json): what
// every post-training stage reads and writes, what `repotune eval --model DIR` and the GGUF
// export take. Optimizer state and resumable checkpoints are the trainer's business
// (src/engine/checkpoint); a stage's output here is its final model only.
import { join } from "node:path";
import { writeFileAtomicSync } from "../../core/fs/atomic-write";
import { readSafetensors, writeSafetensors } from "../../core/formats/safetensors";
import { loadTokenizerJson, saveTokenizerJson, type Tokenizer } from "../../core/tokenizer";
import { MODEL_FILES, readModelConfig } from "../../core/formats/model-folder";
import type { Qwen2Config } from "../../core/formats/qwen2-config";
import { Qwen2Model, type WeightMap } from "./";
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
  const config = readModelConfig(dir);
  const tokenizer = loadTokenizerJson(join(dir, MODEL_FILES.tokenizer));
  if (tokenizer.vocabSize > config.vocab_size) {
    throw new Error(`${dir}: tokenizer.json has ${tokenizer.vocabSize} tokens but config.json's vocab_size is ${config.vocab_size}`);
  }
  const model = Qwen2Model.fromWeights(config, readModelWeights(dir));
  return { dir, config, model, tokenizer };
}

/** Writes a model directory; each file is replaced atomically. */
export async function saveModelDir(dir: string, model: Qwen2Model, tokenizer: Tokenizer, weights?: WeightMap): Promise<void> {
  mkdirPrivate(dir); // 0700: see core/fs/private-files.ts
  const w = weights ?? (await model.getWeights());
  writeSafetensors(
    join(dir, MODEL_FILES.weights),
    [...w].map(([name, t]) => [name, { dtype: "F32" as const, shape: t.shape, data: t.data }]),
  );
  saveTokenizerJson(tokenizer, join(dir, MODEL_FILES.tokenizer));
  writeFileAtomicSync(join(dir, MODEL_FILES.config), JSON.stringify(model.config, null, 2) + "\n");
}
