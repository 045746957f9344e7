// The GGUF llama.cpp runs for a model: a base's own .gguf file as it is (a Qwen2.5-Coder Q8_0
// from the hub, an Ollama blob), or a model folder (a stage's checkpoint, a Hugging Face base)
// exported into a temporary file. Its context and vocabulary come with it.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adapterFolderToGguf, exportGguf, ggufModelConfig, readGguf, tokenizerFromGguf, type ExportDtype } from "../core/formats/gguf";
import { adapterBasePath, isAdapterFolder } from "../core/formats/adapter-folder";
import { readModelConfig } from "../core/formats/model-folder";
import { loadTokenizerJson, type Tokenizer } from "../core/tokenizer";

/** llama.cpp's KV cache for a 32K-context base would take hundreds of MB; completions need far less. */
export const MAX_SERVING_CONTEXT = 4096;

export interface ModelGguf {
  gguf: string;
  /** For an adapter folder: the GGUF adapter llama.cpp applies over `gguf` (the base's). */
  lora?: string;
  /** Positions the model was trained on, capped at MAX_SERVING_CONTEXT. */
  context: number;
  /** Built on demand: parsing a 151K-token vocabulary takes a second the server does not need. */
  tokenizer(): Tokenizer;
  /** Removes the temporary export, if one was made. */
  cleanup(): void;
}

export function isGgufFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The model's trained context (config.json or GGUF metadata), without reading weights. */
export function modelContext(path: string): number {
  if (isGgufFile(path)) return ggufModelConfig(readGguf(path), path).config.max_position_embeddings;
  if (isAdapterFolder(path)) return modelContext(adapterBasePath(path));
  return readModelConfig(path).max_position_embeddings;
}

export function modelGguf(path: string, dtype: ExportDtype): ModelGguf {
  if (isAdapterFolder(path)) return adapterGguf(path, dtype);
  if (isGgufFile(path)) {
    const file = readGguf(path);
    const context = Math.min(ggufModelConfig(file, path).config.max_position_embeddings, MAX_SERVING_CONTEXT);
    return { gguf: path, context, tokenizer: () => tokenizerFromGguf(file, path), cleanup: () => undefined };
  }
  const dir = mkdtempSync(join(tmpdir(), "repotune-gguf-"));
  try {
    const gguf = join(dir, "model.gguf");
    exportGguf({ checkpointDir: path, outPath: gguf, dtype });
    const context = Math.min(readModelConfig(path).max_position_embeddings, MAX_SERVING_CONTEXT);
    return { gguf, context, tokenizer: () => loadTokenizerJson(join(path, "tokenizer.json")), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** A base plus LoRA adapters: the base's GGUF as it is (or exported), and the adapters as a GGUF adapter beside it. */
function adapterGguf(path: string, dtype: ExportDtype): ModelGguf {
  const base = modelGguf(adapterBasePath(path), dtype);
  const dir = mkdtempSync(join(tmpdir(), "repotune-lora-"));
  try {
    // A new file for each: node-llama-cpp caches adapters by path.
    const lora = join(dir, "adapter.gguf");
    adapterFolderToGguf(path, base.gguf, lora);
    return { ...base, lora, cleanup: () => { rmSync(dir, { recursive: true, force: true }); base.cleanup(); } };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    base.cleanup();
    throw err;
  }
}
