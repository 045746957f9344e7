// What evaluation and the synthetic preference pairs ask of a model, whatever runs it: llama.cpp
// on its GGUF export (src/serve) or the tfjs model itself (src/engine).
import type { CompletionBudget, CompletionContext } from "./context";

export interface LineCompletion {
  text: string;
  latencyMs: number;
}

/** How a completer asks its model: the editor's token budget and limit (DEFAULT_COMPLETION_SETTINGS). */
export interface CompleterOptions {
  /** Most tokens one completion may have. */
  maxNewTokens: number;
  /** Most prefix and suffix tokens the prompt keeps. */
  budget?: CompletionBudget;
}

/**
 * Completes at a place of the completion context (FIM, PSM order), with the editor's stop
 * rules and post-processing (core/completion/complete): the text a user would be shown.
 */
export interface LineCompleter {
  complete(context: CompletionContext, signal?: AbortSignal): Promise<LineCompletion>;
}

/**
 * A score per completion of one prompt, higher = preferred: a language model's sum of
 * log p(completion | prompt), or a reward model's scalar.
 */
export interface CompletionScorer {
  score(prompt: string, completions: readonly string[]): Promise<number[]>;
}

/** Sum and count of a completion's token log-probs under a frozen model (DPO's reference). */
export interface CompletionLogProb {
  /** Sum of log p over the completion tokens (TRL's DPO convention). */
  sum: number;
  /** Completion tokens counted (for length-normalised uses: IPO, reports). */
  tokens: number;
}
