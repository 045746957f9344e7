// A LoRA run as one GGUF with the adapters merged in (W + scaling * B A): for a tool that
// takes no adapter file (Ollama's Modelfile ADAPTER needs the same base, an older llama.cpp
// none), or a model that loads in one piece. The run itself serves base + adapter (the base
// stays where the user keeps it); this is written only when asked (`export --merge`), since a
// 0.5B base in f16 is a gigabyte a run.
import { readMergedAdapterModel } from "../merged-adapter-model";
import { serializeTokenizerJson } from "../../tokenizer";
import { writeModelGguf, type ExportDtype, type ExportResult } from "./export-model";

export function mergedAdapterToGguf(adapterFolder: string, outPath: string, dtype: ExportDtype, name?: string): ExportResult & { merged: number } {
  const m = readMergedAdapterModel(adapterFolder);
  const tensors = [...m.tensors].map(([hfName, t]) => ({ hfName, shape: [...t.shape], where: m.basePath, read: () => t.data }));
  const result = writeModelGguf(
    { config: m.config, configPath: m.basePath, tokenizer: JSON.parse(serializeTokenizerJson(m.tokenizer)), tokenizerPath: m.basePath, tensors },
    { outPath, dtype, name: name ?? "repotune-merged" },
  );
  return { ...result, merged: m.merged };
}
