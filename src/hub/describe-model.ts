// What one model file or folder is, read from its header only: a listing of a user's models must
// be quick and must never load gigabytes. Every field a picker shows comes from here, and so does
// the verdict (can llama.cpp serve it, can our readers train on it) with the reason when not.
import { statSync } from "node:fs";
import { basename } from "node:path";
import type { ModelSourceKind } from "./model-locations";
import { describeGguf } from "./describe-gguf";
import { describeHfFolder } from "./describe-hf";

export interface FoundModel {
  /** A .gguf file (or an Ollama blob, which is one), or a Hugging Face snapshot folder. */
  path: string;
  /** Display name: "Qwen/Qwen2.5-Coder-0.5B" (HF cache), "qwen2.5-coder:1.5b-base" (Ollama), else the file name without .gguf. */
  name: string;
  format: "gguf" | "hf";
  source: ModelSourceKind;
  /** The location root it was found under (or the path the user gave). */
  foundIn: string;
  architecture: string | null;
  /** Total elements of all tensors. */
  parameters: number | null;
  /** "Q8_0", "Q4_K_M", "F16", "BF16"...: general.file_type, else the type holding most bytes; HF: torch_dtype. */
  quantisation: string | null;
  /** GGUF `{arch}.context_length`, HF max_position_embeddings. */
  contextLength: number | null;
  /** The file's size; a folder: the sum of its weight files. */
  fileBytes: number;
  /** llama.cpp can load it: a GGUF of an architecture it knows, or an HF folder we can export to GGUF. */
  canServe: boolean;
  /** Our readers can load every tensor: qwen2 or llama, and every tensor type one we dequantise. */
  canTrain: boolean;
  /** Set when canServe or canTrain is false: what stands in the way. */
  why?: string;
}

/** What describing found: a model, or something that is not one (an adapter, a vocabulary) with the reason. */
export type Inspection = { model: FoundModel } | { skipped: string };

/** The fields each format fills in; describeModel adds where it was found. */
export type ModelFacts = Omit<FoundModel, "path" | "name" | "source" | "foundIn">;

function isDirectory(path: string): boolean | undefined {
  try {
    return statSync(path).isDirectory(); // follows links: HF snapshots link into blobs/
  } catch {
    return undefined;
  }
}

/** The file name without its .gguf extension, or the folder's name. */
export function defaultModelName(path: string): string {
  return basename(path).replace(/\.gguf$/i, "");
}

/** Like describeModel, but says why something is not a model instead of dropping it. Never throws. */
export function inspectModel(path: string, source: ModelSourceKind, foundIn: string, name?: string): Inspection {
  const dir = isDirectory(path);
  let facts: ModelFacts | { skipped: string };
  try {
    if (dir === undefined) {
      facts = { skipped: `${path} does not exist or cannot be read` };
    } else {
      facts = dir ? describeHfFolder(path) : describeGguf(path);
    }
  } catch (err) {
    // The describers catch what they expect; anything else still must not end a scan.
    facts = {
      format: dir ? "hf" : "gguf", architecture: null, parameters: null, quantisation: null, contextLength: null,
      fileBytes: 0, canServe: false, canTrain: false, why: `cannot read it: ${(err as Error).message}`,
    };
  }
  if ("skipped" in facts) return facts;
  return { model: { path, name: name ?? defaultModelName(path), source, foundIn, ...facts } };
}

/**
 * Describes a model file or folder. Never throws: an unreadable or corrupt file comes back with
 * canServe and canTrain false and `why`. Returns null for files that are not models (GGUF
 * adapters, vocabulary-only files, vision projectors, folders without config.json).
 */
export function describeModel(path: string, source: ModelSourceKind, foundIn: string, name?: string): FoundModel | null {
  const r = inspectModel(path, source, foundIn, name);
  return "model" in r ? r.model : null;
}
