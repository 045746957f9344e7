// A base model from wherever the user keeps one: a GGUF file (llama.cpp, Ollama, LM Studio)
// or a Hugging Face folder (the hub cache, a checkpoint). One entry point, so training,
// evaluation and serving agree on what a base is.
import { statSync } from "node:fs";
import { ggufModelConfig, readGgufModel, type GgufModel } from "./gguf/read-model";
import { readGguf } from "./gguf/reader";
import { readHfConfig, readHfModel, ModelFolderError, type HfModel } from "./hf-model";
import type { Qwen2Config } from "./qwen2-config";

export type BaseFormat = "gguf" | "hf";

export interface BaseModel extends GgufModel {
  format: BaseFormat;
  path: string;
  stopTokenIds: number[];
}

export function baseFormatOf(path: string): BaseFormat {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new ModelFolderError(`${path}: no such file or folder; give a .gguf file or a Hugging Face model folder (repotune models lists what this machine has)`);
  }
  return isDir ? "hf" : "gguf";
}

/** Reads a base into memory as float32 weights under Hugging Face names. */
export function readBaseModel(path: string): BaseModel {
  const format = baseFormatOf(path);
  if (format === "hf") {
    const m: HfModel = readHfModel(path);
    return { ...m, format, path };
  }
  const m = readGgufModel(path);
  const eos = m.config.eos_token_id;
  return { ...m, format, path, stopTokenIds: typeof eos === "number" ? [eos] : Array.isArray(eos) ? eos : [] };
}

/** A base's configuration from its GGUF metadata or config.json, without reading its weights. */
export function readBaseConfig(path: string): Qwen2Config {
  return baseFormatOf(path) === "hf" ? readHfConfig(path).config : ggufModelConfig(readGguf(path), path).config;
}
