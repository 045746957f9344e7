// A model evaluated the way it will be served: a folder exported to GGUF (f16, as the export
// stage writes it) or a base's own GGUF, and run by llama.cpp through src/serve, one thread on this kind of machine.
// Completions go through the completion engine (its FIM prompt and budget); preference pairs
// are scored by the exact scorer on the same file. Latency is then the editor's latency.
import type { Tokenizer } from "../core/tokenizer";
import { modelGguf } from "./model-gguf";
import { LlamaEngine, LlamaScorer } from "./";
import { llamaCompletionLogProbs } from "./llama-passes";
import { LLAMA_MIN_CONTEXT } from "./llama-runtime";
import { encodeSharedPrompt } from "../core/examples/encode-examples";
import { complete } from "../core/completion/complete";
import type { CompleterOptions, CompletionScorer, LineCompleter, LineCompletion } from "../core/completion/completer";
import type { CompletionContext } from "../core/completion/context";

export interface LlamaCompleterOptions extends CompleterOptions {
  threads?: number;
  /** A GGUF adapter over the model (openGgufCompleter; a model folder brings its own). */
  lora?: string;
}

export class LlamaCompleter implements LineCompleter, CompletionScorer {
  private constructor(
    private readonly engine: LlamaEngine,
    private readonly scorer: LlamaScorer,
    private readonly tokenizer: Tokenizer,
    private readonly context: number,
    private readonly cleanup: () => void,
    readonly options: LlamaCompleterOptions,
  ) {}

  /** A model folder (exported to an f16 GGUF) or a base's own .gguf file. */
  static async open(model: string, options: LlamaCompleterOptions): Promise<LlamaCompleter> {
    const m = modelGguf(model, "f16");
    try {
      const lora = m.lora ? { lora: { path: m.lora } } : {};
      const engine = await LlamaEngine.load({ modelPath: m.gguf, threads: options.threads, gpu: false, contextSize: m.context, ...lora });
      try {
        const scorer = await LlamaScorer.load({ modelPath: m.gguf, threads: options.threads, contextSize: m.context, ...lora });
        return new LlamaCompleter(engine, scorer, m.tokenizer(), m.context, m.cleanup, options);
      } catch (err) {
        await engine.dispose();
        throw err;
      }
    } catch (err) {
      m.cleanup();
      throw err;
    }
  }

  /** What the completion server would answer at this place: the same engine, prompt, stop rules and post-processing. */
  async complete(context: CompletionContext, signal?: AbortSignal): Promise<LineCompletion> {
    return completeOn(this.engine, this.options, context, signal);
  }

  /** Sum of log p(completion | prompt) under llama.cpp, all completions after the same prompt tokens. */
  async score(prompt: string, completions: readonly string[]): Promise<number[]> {
    const rows = encodeSharedPrompt(this.tokenizer, prompt, completions, this.context - 1);
    if (!rows) throw new Error("score: a completion is empty");
    return (await llamaCompletionLogProbs(this.scorer, rows)).map((s) => s.sum);
  }

  async dispose(): Promise<void> {
    try {
      await this.engine.dispose();
      await this.scorer.dispose();
    } finally {
      this.cleanup();
    }
  }
}

/**
 * A GGUF file as a completer only: the model serving completions now (an earlier run's), asked
 * on this run's probes as the completion server would ask it. Scoring needs its tokenizer
 * folder, which an earlier run may no longer have, so it does not score.
 */
export async function openGgufCompleter(gguf: string, options: LlamaCompleterOptions): Promise<LineCompleter & { dispose(): Promise<void> }> {
  const engine = await LlamaEngine.load({ modelPath: gguf, threads: options.threads, gpu: false, minContext: LLAMA_MIN_CONTEXT, ...(options.lora ? { lora: { path: options.lora } } : {}) });
  return {
    complete: (context, signal) => completeOn(engine, options, context, signal),
    dispose: () => engine.dispose(),
  };
}

/** What the completion server would answer at this place: the same prompt, stop rules and post-processing. */
async function completeOn(engine: LlamaEngine, options: CompleterOptions, context: CompletionContext, signal?: AbortSignal): Promise<LineCompletion> {
  const out = await complete(engine, context, { maxTokens: options.maxNewTokens, budget: options.budget, signal });
  return { text: out.text, latencyMs: out.result.totalMs };
}
