// What evaluation reports: one row of report.json per model, and samples for the dashboard.
import type { Interval } from "../../core/math/resampling";

/** Figures of one completion mode. */
export interface ModeEval {
  exactMatch: number;
  editSimilarity: number;
  acceptedChars: number;
  items: number;
}

/** One row of report.json's `stages`: null where a figure does not apply. */
export interface StageEval {
  /** Fraction 0-1 of held-out completions equal to the truth up to whitespace (CrossCodeEval's EM). */
  exactMatch: number | null;
  /** Mean edit similarity 0-100. */
  editSimilarity: number | null;
  /** Mean share 0-1 of the truth's characters a user would accept (the longest correct prefix). */
  acceptedChars: number | null;
  /** 95% bootstrap intervals of the three means, [low, high]. */
  exactMatchCi: Interval | null;
  editSimilarityCi: Interval | null;
  acceptedCharsCi: Interval | null;
  /** The same figures per completion mode (line, block). */
  modes: Partial<Record<"line" | "block", ModeEval>>;
  /** Fraction 0-1 of held-out preference pairs where the model prefers the chosen side. */
  preferenceAccuracy: number | null;
  /** The same by where the pairs come from: "editor", "base-model", "same-file"... */
  preferenceBySource?: Record<string, { accuracy: number; items: number }>;
  /** Held-out loss: bits per UTF-8 byte of the probes' targets given their prefixes (held-out-loss.ts). */
  bitsPerByte?: number | null;
  /** Median wall time of one completion, in ms, with the editor's settings. */
  latencyMsP50: number | null;
  /** Held-out completion probes evaluated. */
  heldoutItems: number;
  /** Held-out preference pairs evaluated. */
  preferenceItems: number;
}

/** Per-probe scores of one model, in the probes' order: what intervals and paired tests use. */
export interface ItemScores {
  exactMatch: number[];
  editSimilarity: number[];
  acceptedChars: number[];
  /**
   * Held-out loss of each line probe with a prefix (held-out-loss.ts lossProbes), in bits per
   * byte, null where a target was not scored; absent for a model that cannot score.
   */
  bitsPerByte?: (number | null)[];
}

export interface EvalSample {
  path: string;
  line: number;
  prefixTail: string;
  truth: string;
  prediction: string;
}
