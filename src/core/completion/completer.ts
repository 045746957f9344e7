// What evaluation asks of a model, whatever runs it (tfjs now; llama.cpp on the GGUF export
// through src/serve when a stage has one), and what it reports.
import type { PreferencePair } from "../feedback/feedback-types";
import type { HeldoutProbe } from "../store/dataset-files";

export type { HeldoutProbe, PreferencePair };

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

/** One row of report.json's `stages`: null where a figure does not apply. */
export interface StageEval {
  /** Fraction 0-1 of held-out line completions equal to the truth up to whitespace. */
  exactMatch: number | null;
  /** Mean edit similarity 0-100. */
  editSimilarity: number | null;
  /** Fraction 0-1 of held-out preference pairs where the model prefers the chosen side. */
  preferenceAccuracy: number | null;
  /** Median wall time of one line completion, in ms. */
  latencyMsP50: number | null;
  /** Held-out line-completion probes evaluated. */
  heldoutItems: number;
  /** Held-out preference pairs evaluated. */
  preferenceItems: number;
}

export interface EvalSample {
  path: string;
  line: number;
  prefixTail: string;
  truth: string;
  prediction: string;
}
