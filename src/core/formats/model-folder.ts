// A model as a Hugging Face folder: which files it holds, and its config.json read by the one
// Qwen2 config parser. Pure file reading: the training engine loads the weights, llama.cpp
// passes and the GGUF export read only the config.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseQwen2Config, type Qwen2Config } from "./qwen2-config";

export const MODEL_FILES = { config: "config.json", weights: "model.safetensors", tokenizer: "tokenizer.json" } as const;

export function readModelConfig(dir: string): Qwen2Config {
  const path = join(dir, MODEL_FILES.config);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseQwen2Config(raw);
}
