// A GGUF file described from its header (readGguf reads no tensor data): architecture,
// parameter count, quantisation, context length, and whether llama.cpp and our trainer can use it.
import { statSync } from "node:fs";
import { ggufModelConfig, readGguf, type GgufFile } from "../core/formats/gguf";
import { fileTypeName, ggmlTypeLabel, LLAMA_CPP_ARCHITECTURES } from "../core/formats/gguf/llama-cpp-names";
import type { ModelFacts } from "./describe-model";

const TRAINABLE = new Set(["qwen2", "llama"]);

function metaValue(file: GgufFile, key: string): string | number | undefined {
  const v = file.metadata.get(key);
  if (v === undefined || v.type === "array") return undefined;
  return typeof v.value === "string" || typeof v.value === "number" ? v.value : undefined;
}

/** general.file_type's name, else the type of the tensors holding most bytes (older converters omit the key). */
function quantisationOf(file: GgufFile): string | null {
  const ftype = metaValue(file, "general.file_type");
  if (typeof ftype === "number") {
    const name = fileTypeName(ftype);
    if (name) return name;
  }
  const bytesByType = new Map<number, number>();
  for (const t of file.tensors) {
    // Unknown types have no byte length we can compute; their element count still ranks them.
    const weight = t.byteLength ?? t.shape.reduce((a, b) => a * b, 1);
    bytesByType.set(t.typeCode, (bytesByType.get(t.typeCode) ?? 0) + weight);
  }
  let best: [number, number] | undefined;
  for (const entry of bytesByType) if (!best || entry[1] > best[1]) best = entry;
  return best ? ggmlTypeLabel(best[0]) : null;
}

/** The reader's messages start with the path, which the listing already shows. */
function withoutPath(message: string, path: string): string {
  return message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
}

export function describeGguf(path: string): ModelFacts | { skipped: string } {
  let fileBytes = 0;
  try {
    fileBytes = statSync(path).size;
  } catch { /* reported by readGguf below */ }
  let file: GgufFile;
  try {
    file = readGguf(path);
  } catch (err) {
    const message = withoutPath((err as Error).message, path);
    return {
      format: "gguf", architecture: null, parameters: null, quantisation: null, contextLength: null, fileBytes,
      canServe: false, canTrain: false,
      why: /not a GGUF file/.test(message) ? message : `not a readable GGUF file: ${message} (a truncated or interrupted download? download it again)`,
    };
  }
  const type = metaValue(file, "general.type");
  if (type === "adapter") return { skipped: `${path} is a LoRA adapter (general.type adapter), not a base model` };
  if (file.tensors.length === 0) return { skipped: `${path} holds no tensors (a vocabulary-only file), not a model` };
  const archValue = metaValue(file, "general.architecture");
  const architecture = typeof archValue === "string" ? archValue : null;
  if (architecture === "clip") return { skipped: `${path} is a vision projector (architecture clip), not a language model` };
  const context = architecture ? metaValue(file, `${architecture}.context_length`) : undefined;
  const facts: ModelFacts = {
    format: "gguf",
    architecture,
    parameters: file.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0),
    quantisation: quantisationOf(file),
    contextLength: typeof context === "number" ? context : null,
    fileBytes,
    canServe: architecture !== null && LLAMA_CPP_ARCHITECTURES.has(architecture),
    canTrain: false,
  };
  const reasons: string[] = [];
  if (architecture === null) reasons.push("it has no general.architecture, so neither llama.cpp nor RepoTune can load it");
  else if (!facts.canServe) reasons.push(`architecture ${architecture} is not one llama.cpp loads`);
  if (architecture !== null && !TRAINABLE.has(architecture)) {
    reasons.push(`architecture ${architecture} is not supported for training (qwen2 and llama are)${facts.canServe ? "; llama.cpp can still serve it" : ""}`);
  } else if (architecture !== null) {
    const odd = file.tensors.find((t) => t.type === null);
    if (odd) {
      reasons.push(`tensor ${odd.name} is ${ggmlTypeLabel(odd.typeCode)} (ggml type ${odd.typeCode}), which RepoTune cannot dequantise; pick a Q8_0, Q4_K_M, F16 or BF16 file of this model to train on it`);
    } else {
      try {
        ggufModelConfig(file, path);
        facts.canTrain = true;
      } catch (err) {
        reasons.push(withoutPath((err as Error).message, path));
      }
    }
  }
  if (reasons.length) facts.why = reasons.join("; ");
  return facts;
}
