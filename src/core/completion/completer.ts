// What evaluation and the synthetic preference pairs ask of a model, whatever runs it: llama.cpp
// on its GGUF export (src/serve) or the tfjs model itself (src/engine).

export interface LineCompletion {
  text: string;
  latencyMs: number;
}

/** Completes the line at a cursor between prefix and suffix (FIM, PSM order). */
export interface LineCompleter {
  complete(prefix: string, suffix: string, signal?: AbortSignal): Promise<LineCompletion>;
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
