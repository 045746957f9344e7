// A tfjs model as a LineCompleter and CompletionScorer: greedy FIM completion with the KV
// cache through the one completion pipeline (core/completion/complete), and completion
// log-probs in padded batches.
import { complete, type GenerateRequest } from "../../core/completion/complete";
import type { CompletionContext } from "../../core/completion/context";
import { formatFimPrompt } from "../../core/completion/fim-prompt";
import type { Tokenizer } from "../../core/tokenizer";
import type { Qwen2Model } from "../model";
import { encodeFim, encodeSharedPrompt, specialIds } from "../../core/examples/encode-examples";
import { scoreCompletions } from "./score";
import { greedyComplete } from "./greedy";
import type { CompleterOptions, CompletionScorer, LineCompleter, LineCompletion } from "../../core/completion/completer";

export interface TfjsCompleterOptions extends CompleterOptions {
  /** Longest prompt + completion, in tokens (the model's context by default). */
  contextTokens?: number;
}

export class TfjsCompleter implements LineCompleter, CompletionScorer {
  private readonly stopIds: Set<number>;
  private readonly context: number;

  constructor(
    readonly model: Qwen2Model,
    readonly tokenizer: Tokenizer,
    readonly options: TfjsCompleterOptions,
  ) {
    this.stopIds = new Set(tokenizer.specialIds);
    this.context = Math.min(options.contextTokens ?? model.config.max_position_embeddings, model.config.max_position_embeddings);
  }

  async complete(context: CompletionContext, signal?: AbortSignal): Promise<LineCompletion> {
    const started = performance.now();
    const out = await complete({ generate: (req) => this.generate(req) }, context, { maxTokens: this.options.maxNewTokens, budget: this.options.budget, signal });
    // Yield so that a cancel message can arrive between completions.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return { text: out.text, latencyMs: performance.now() - started };
  }

  private async generate(req: GenerateRequest): Promise<{ text: string }> {
    const maxTokens = Math.max(1, Math.min(req.maxTokens, this.context - 4));
    const prompt = encodeFim(this.tokenizer, req.prefix, req.suffix, this.context - maxTokens, req.budget, req.repo, this.context);
    const r = greedyComplete(this.model, (ids) => this.tokenizer.decode(ids), prompt, {
      maxNewTokens: maxTokens,
      stopIds: this.stopIds,
      ...(req.shouldStop ? { shouldStop: req.shouldStop } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    });
    return { text: r.text };
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
