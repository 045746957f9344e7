// A tfjs model as a LineCompleter and CompletionScorer: greedy FIM line completion with the
// KV cache, and completion log-probs in padded batches.
import { formatFimPrompt } from "../../core/completion/fim-prompt";
import type { Tokenizer } from "../../core/tokenizer";
import type { Qwen2Model } from "../model";
import { encodeFim, encodeSharedPrompt, specialIds } from "../../core/examples/encode-examples";
import { scoreCompletions } from "./score";
import { greedyComplete } from "./greedy";
import type { CompletionScorer, LineCompleter, LineCompletion } from "../../core/completion/completer";

export interface TfjsEvaluatorOptions {
  /** Most tokens one completion may have. */
  maxNewTokens: number;
  /** Longest prompt + completion, in tokens (the model's context by default). */
  contextTokens?: number;
}

export class TfjsEvaluator implements LineCompleter, CompletionScorer {
  private readonly stopIds: Set<number>;
  private readonly context: number;

  constructor(
    readonly model: Qwen2Model,
    readonly tokenizer: Tokenizer,
    readonly options: TfjsEvaluatorOptions,
  ) {
    this.stopIds = new Set(tokenizer.specialIds);
    this.context = Math.min(options.contextTokens ?? model.config.max_position_embeddings, model.config.max_position_embeddings);
  }

  async complete(prefix: string, suffix: string, signal?: AbortSignal): Promise<LineCompletion> {
    const prompt = encodeFim(this.tokenizer, prefix, suffix, this.context - this.options.maxNewTokens);
    const r = greedyComplete(this.model, (ids) => this.tokenizer.decode(ids), prompt, {
      maxNewTokens: this.options.maxNewTokens,
      stopIds: this.stopIds,
      signal,
    });
    // Yield so that a cancel message can arrive between completions.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return { text: r.text, latencyMs: r.latencyMs };
  }

  /** Sum of log p(completion | prompt), all completions after the same prompt tokens. */
  async score(prompt: string, completions: readonly string[]): Promise<number[]> {
    const rows = encodeSharedPrompt(this.tokenizer, prompt, completions, this.context - 1);
    // An empty completion leaves nothing to score: such pairs are not evaluated (see eval-data).
    if (!rows) throw new Error("score: a completion is empty");
    const scores = await scoreCompletions(this.model, rows, specialIds(this.tokenizer).eos);
    return scores.map((s) => s.sum);
  }

  /** The prompt this evaluator sends for a probe (for samples and debugging). */
  static promptText(prefix: string, suffix: string): string {
    return formatFimPrompt(prefix, suffix);
  }
}
