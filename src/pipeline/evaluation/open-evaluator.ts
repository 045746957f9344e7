// Which engine evaluates a model (a folder, or a base's GGUF file): llama.cpp on its GGUF export (how completions are
// served, so its latency is the editor's; DESIGN.md runs every frozen-model pass there), or
// the tfjs model itself (no native code needed; what runs when llama.cpp cannot load).
import { openModel } from "../../engine/model-store/model-source";
import { isAdapterFolder } from "../../core/formats/adapter-folder";
import { modelContext } from "../../serve/model-gguf";
import { LlamaCompleter } from "../../serve/llama-completer";
import { LLAMA_MIN_CONTEXT } from "../../serve/llama-runtime";
import { TfjsCompleter } from "../../engine/inference/tfjs-completer";
import type { CompletionScorer, LineCompleter } from "../../core/completion/completer";

export type EvalEngine = "llama" | "tfjs";


export interface OpenedEvaluator {
  evaluator: LineCompleter & CompletionScorer;
  engine: EvalEngine;
  /** Why the engine asked for was not used, when it was not. */
  fallback?: string;
  dispose(): Promise<void>;
}

/** `beforeTfjs` runs before a tfjs model is loaded (a CLI picks its backend there, only if needed). */
export async function openEvaluator(modelDir: string, engine: EvalEngine, maxNewTokens: number, beforeTfjs?: () => Promise<void>): Promise<OpenedEvaluator> {
  let fallback: string | undefined;
  if (engine === "llama" && modelContext(modelDir) < LLAMA_MIN_CONTEXT) {
    fallback = `${modelDir} has a context under ${LLAMA_MIN_CONTEXT} tokens, which llama.cpp cannot allocate exactly; evaluated with tfjs`;
  } else if (engine === "llama") {
    try {
      const evaluator = await LlamaCompleter.open(modelDir, { maxNewTokens });
      return { evaluator, engine: "llama", dispose: () => evaluator.dispose() };
    } catch (err) {
      fallback = `llama.cpp could not evaluate ${modelDir} (${err instanceof Error ? err.message.split("\n")[0] : String(err)}); evaluated with tfjs instead`;
    }
  }
  await beforeTfjs?.();
  // An adapter folder opens as its base with the adapters attached; anything else is read as a base (a stage's folder included).
  const m = openModel(isAdapterFolder(modelDir) ? { modelDir } : { basePath: modelDir });
  return {
    evaluator: new TfjsCompleter(m.model, m.tokenizer, { maxNewTokens }),
    engine: "tfjs",
    ...(fallback ? { fallback } : {}),
    dispose: async () => m.model.dispose(),
  };
}
