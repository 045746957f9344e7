// Where a stage's starting model comes from: a model directory (a previous stage's output),
// a pretrained base (a GGUF file or a Hugging Face folder: Qwen2.5-Coder, a Llama), or nothing
// yet: a fresh model of a preset's shape on the repository's own tokenizer (the first stage of
// a from-scratch run).
import type { ModelShape } from "../../core/presets";
import { loadTokenizerJson, serializeTokenizerJson, type Tokenizer } from "../../core/tokenizer";
import { makeQwen2Config, Qwen2Model, type Qwen2Config } from "../model";
import { loadModelDir } from "./model-dir";
import { readBaseModel } from "../../core/formats/base-model";
import type { LoraConfig } from "../../core/formats/lora-config";
import { attachLora } from "../lora";

/**
 * `lora` on a base: LoRA adapters over its frozen weights are what trains (a base too large to
 * train whole). A model directory that is an adapter folder opens as its base with its adapters.
 */
export type ModelSource = { modelDir: string } | { basePath: string; lora?: LoraConfig; seed?: number } | { tokenizerPath: string; shape: ModelShape; seed?: number };

export interface OpenedModel {
  model: Qwen2Model;
  tokenizer: Tokenizer;
  config: Qwen2Config;
  /** tokenizer.json's text, for checkpoints. */
  tokenizerJson: string;
}

export function configForShape(shape: ModelShape, vocabSize: number): Qwen2Config {
  return makeQwen2Config({
    // The tokenizer decides the rows of the embedding: a repo too small for the preset's
    // vocabulary trains fewer tokens, and an embedding row per unused id would be waste.
    vocab_size: vocabSize,
    hidden_size: shape.hiddenSize,
    intermediate_size: shape.intermediateSize,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    num_key_value_heads: shape.kvHeads,
    max_position_embeddings: shape.contextLength,
  });
}

export function openModel(source: ModelSource): OpenedModel {
  if ("basePath" in source) {
    const base = readBaseModel(source.basePath);
    const model = Qwen2Model.fromWeights(base.config, base.tensors);
    base.tensors.clear(); // the model holds its own copies; the float32 host copies can go
    if (source.lora) attachLora(model, source.lora, { seed: source.seed ?? 0 }).basePath = source.basePath;
    return { model, tokenizer: base.tokenizer, config: base.config, tokenizerJson: serializeTokenizerJson(base.tokenizer) };
  }
  if ("modelDir" in source) {
    const m = loadModelDir(source.modelDir);
    return { model: m.model, tokenizer: m.tokenizer, config: m.config, tokenizerJson: serializeTokenizerJson(m.tokenizer) };
  }
  const tokenizer = loadTokenizerJson(source.tokenizerPath);
  const config = configForShape(source.shape, tokenizer.vocabSize);
  const model = Qwen2Model.create(config, { seed: source.seed ?? 0 });
  return { model, tokenizer, config, tokenizerJson: serializeTokenizerJson(tokenizer) };
}
