// A LoRA run as one GGUF with the adapters merged in (W + scaling * B A): for a tool that
// takes no adapter file (Ollama's Modelfile ADAPTER needs the same base, an older llama.cpp
// none), or a model that loads in one piece. The run itself serves base + adapter (the base
// stays where the user keeps it); this is written only when asked (`export --merge`), since a
// 0.5B base in f16 is a gigabyte a run.
import { join } from "node:path";
import { ADAPTER_WEIGHTS_FILE, adapterBasePath } from "../adapter-folder";
import { readBaseModel } from "../base-model";
import { mergeFactors, readLoraFactors } from "../hf-export/merge-lora";
import { readPeftConfig } from "../hf-export/peft-adapter-folder";
import { serializeTokenizerJson } from "../../tokenizer";
import { writeModelGguf, type ExportDtype, type ExportResult } from "./export-model";

export function mergedAdapterToGguf(adapterFolder: string, outPath: string, dtype: ExportDtype, name?: string): ExportResult & { merged: number } {
  const basePath = adapterBasePath(adapterFolder);
  const base = readBaseModel(basePath);
  const factors = readLoraFactors(join(adapterFolder, ADAPTER_WEIGHTS_FILE), readPeftConfig(adapterFolder));
  const unknown = [...factors.pairs.keys()].filter((w) => !base.tensors.has(w));
  if (unknown.length) throw new Error(`${adapterFolder}: the adapters name ${unknown.slice(0, 3).join(", ")}, which ${basePath} does not have: they were trained over another base`);
  const tensors = [...base.tensors].map(([hfName, t]) => ({
    hfName,
    shape: [...t.shape],
    where: basePath,
    read: () => mergeFactors(hfName, t.data, t.shape, factors),
  }));
  const result = writeModelGguf(
    { config: base.config, configPath: basePath, tokenizer: JSON.parse(serializeTokenizerJson(base.tokenizer)), tokenizerPath: basePath, tensors },
    { outPath, dtype, name: name ?? "repotune-merged" },
  );
  return { ...result, merged: factors.pairs.size };
}
