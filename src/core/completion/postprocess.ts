// Post-processing as a pipeline of named steps, in the manner of Continue's
// core/autocomplete: each step is small and testable alone, and the trace tells which step
// changed or emptied a suggestion (for logs and for tests).
import { placeLines, type CompletionPlace, type PlaceLines } from "./place";
import { dropDegenerate, noRepeatOfLineAbove, stopAtNextLine, trimSuffixOverlap } from "./repetition";
import { cutAtBlockEnd, cutAtLineEnd } from "./stop-rules";
import { dropEmpty, trimTrailingWhitespace } from "./whitespace";

export interface PostprocessStep {
  name: string;
  apply(text: string, place: PlaceLines): string;
}

export const DEFAULT_STEPS: readonly PostprocessStep[] = [
  { name: "stop-at-line-end", apply: (t, p) => (p.mode === "line" ? cutAtLineEnd(t) : t) },
  { name: "stop-at-block-end", apply: (t, p) => (p.mode === "block" ? cutAtBlockEnd(t, p) : t) },
  { name: "drop-degenerate", apply: dropDegenerate },
  { name: "stop-at-next-line", apply: stopAtNextLine },
  { name: "no-repeat-of-line-above", apply: noRepeatOfLineAbove },
  { name: "trim-trailing-whitespace", apply: trimTrailingWhitespace },
  { name: "no-suffix-repeat", apply: trimSuffixOverlap },
  { name: "trim-trailing-whitespace-again", apply: trimTrailingWhitespace },
  { name: "drop-empty", apply: dropEmpty },
];

export interface PostprocessResult {
  text: string;
  /** The steps that changed the text, in order. */
  changedBy: string[];
}

export function postprocess(raw: string, place: CompletionPlace, steps: readonly PostprocessStep[] = DEFAULT_STEPS): PostprocessResult {
  const lines = placeLines(place);
  const changedBy: string[] = [];
  let text = raw;
  for (const step of steps) {
    const next = step.apply(text, lines);
    if (next !== text) changedBy.push(step.name);
    text = next;
    if (text === "") break;
  }
  return { text, changedBy };
}
