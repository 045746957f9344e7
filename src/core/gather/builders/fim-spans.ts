// Where FIM samples cut a file: the spans an editor is asked to complete. Shares follow what
// completions are in practice: mostly the rest of the current line, then the whole next line,
// a block of up to 30 lines (until a blank line or a dedent), and a few arbitrary character
// spans so the model also learns to stop mid-token.
import type { LineIndex } from "../text/line-index";
import { randomInt } from "../../random/seeded-random";

export type FimSpanKind = "line-rest" | "next-line" | "block" | "chars";

export interface FimSpan {
  kind: FimSpanKind;
  /** The middle: text.slice(start, end). */
  start: number;
  end: number;
}

export const FIM_SPAN_SHARES: ReadonlyArray<[FimSpanKind, number]> = [
  ["line-rest", 0.5],
  ["next-line", 0.2],
  ["block", 0.2],
  ["chars", 0.1],
];

export const BLOCK_MAX_LINES = 30;
const CHAR_SPAN_MAX = 160;
const ATTEMPTS_PER_SPAN = 8;

export function pickSpanKind(random: () => number): FimSpanKind {
  let r = random();
  for (const [kind, share] of FIM_SPAN_SHARES) {
    if (r < share) return kind;
    r -= share;
  }
  return "line-rest";
}

/** Up to `count` distinct spans with a non-blank middle; fewer when the file has few lines. */
export function chooseFimSpans(index: LineIndex, count: number, random: () => number): FimSpan[] {
  const spans: FimSpan[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; spans.length < count && attempt < count * ATTEMPTS_PER_SPAN; attempt++) {
    const span = spanOfKind(index, pickSpanKind(random), random);
    if (!span) continue;
    const key = `${span.start}:${span.end}`;
    if (seen.has(key) || index.text.slice(span.start, span.end).trim() === "") continue;
    seen.add(key);
    spans.push(span);
  }
  return spans;
}

export function spanOfKind(index: LineIndex, kind: FimSpanKind, random: () => number): FimSpan | null {
  if (index.count === 0) return null;
  const line = randomInt(random, 0, index.count - 1);
  if (index.isBlank(line)) return null;
  const codeStart = index.start(line) + index.indentWidth(line);
  const contentEnd = index.contentEnd(line);
  switch (kind) {
    case "line-rest": {
      // The cursor somewhere inside the line's code: the user typed the start, the model ends it.
      if (contentEnd - codeStart < 4) return null;
      const cursor = codePointBoundary(index.text, randomInt(random, codeStart + 1, contentEnd - 1));
      return { kind, start: cursor, end: contentEnd };
    }
    case "next-line":
      // The cursor after the indentation of a fresh line, as an editor leaves it after Enter.
      return { kind, start: codeStart, end: contentEnd };
    case "block": {
      const last = blockEnd(index, line);
      if (last === line) return null;
      return { kind, start: codeStart, end: index.contentEnd(last) };
    }
    case "chars": {
      const start = codePointBoundary(index.text, randomInt(random, 0, index.text.length - 1));
      const end = codePointBoundary(index.text, Math.min(index.text.length, start + randomInt(random, 1, CHAR_SPAN_MAX)));
      return end > start ? { kind, start, end } : null;
    }
  }
}

/**
 * `at`, moved back one place when it would split a surrogate pair (an emoji): a lone half in a
 * prompt or completion is not valid UTF-8, and Python's JSON reader or a tokenizer would fail.
 */
export function codePointBoundary(text: string, at: number): number {
  if (at <= 0 || at >= text.length) return at;
  const here = text.charCodeAt(at);
  const before = text.charCodeAt(at - 1);
  return here >= 0xdc00 && here <= 0xdfff && before >= 0xd800 && before <= 0xdbff ? at - 1 : at;
}

/** Last line of the block starting at `first`: stops before a blank line or a dedent, at most 30 lines. */
export function blockEnd(index: LineIndex, first: number): number {
  const indent = index.indentWidth(first);
  let last = first;
  for (let line = first + 1; line < index.count && line - first < BLOCK_MAX_LINES; line++) {
    if (index.isBlank(line) || index.indentWidth(line) < indent) break;
    last = line;
  }
  return last;
}
