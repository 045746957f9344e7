// What evaluation reports: one row of report.json per model, and samples for the dashboard.

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
