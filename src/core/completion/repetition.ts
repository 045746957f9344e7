// Never show what is already there: the text after the cursor, or the line just above.
// Small models loop and echo their context; these rules keep such echoes off the screen.
import type { PlaceLines } from "./place";

const norm = (s: string): string => s.trim().replace(/\s+/g, " ");

/**
 * Drops the tail of the completion that the suffix already holds, e.g. `a, b);` before `);`.
 * Only overlaps that cannot be a coincidence count: punctuation only, or at least 4 characters.
 */
export function trimSuffixOverlap(text: string, place: PlaceLines): string {
  const max = Math.min(text.length, place.suffix.length, 400);
  for (let k = max; k > 0; k--) {
    const overlap = place.suffix.slice(0, k);
    if (!text.endsWith(overlap) || overlap.trim() === "") continue;
    const punctuationOnly = !/[\p{L}\p{N}_$]/u.test(overlap);
    if (punctuationOnly || overlap.trim().length >= 4) return text.slice(0, text.length - k);
  }
  return text;
}

/**
 * A run of one short unit repeated to the length cap (`sssss...`, `, " " " "...`, `))))`) is
 * a small model stuck in a loop, never code a user wants: the whole suggestion is dropped, as
 * Continue's filters drop it. A unit of 1-4 characters with something visible in it, repeated
 * at least 8 times over at least 16 characters, counts, whatever else precedes it on the line.
 * Runs of whitespace are not loops: indentation and alignment are made of them, and trailing
 * ones are trimmed by their own step.
 */
export function dropDegenerate(text: string): string {
  for (const m of text.matchAll(/(.{1,4}?)\1{7,}/gsu)) if (m[0].length >= 16 && /\S/u.test(m[1]!)) return "";
  return text;
}

/**
 * A completion whose line equals the line below the cursor (the model re-typing the next line),
 * or, in block mode, a generated line that does: the suggestion ends before it.
 */
export function stopAtNextLine(text: string, place: PlaceLines): string {
  const next = norm(place.nextLine);
  if (next === "") return text;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const full = i === 0 ? place.linePrefix + lines[0]! : lines[i]!;
    if (norm(full) === next && (i > 0 || place.lineSuffix.trim() === "")) return lines.slice(0, i).join("\n");
  }
  return text;
}

/**
 * The cursor's line completed into a copy of the line above it is dropped; in block mode a
 * generated line that repeats the one before it ends the suggestion (a degenerate loop).
 */
export function noRepeatOfLineAbove(text: string, place: PlaceLines): string {
  const lines = text.split("\n");
  const first = norm(place.linePrefix + lines[0]!);
  if (first !== "" && first === norm(place.lineAbove) && first.length > 1) return "";
  for (let i = 1; i < lines.length; i++) {
    const line = norm(lines[i]!);
    const previous = norm(i === 1 ? place.linePrefix + lines[0]! : lines[i - 1]!);
    if (line !== "" && line.length > 1 && line === previous) return lines.slice(0, i).join("\n");
  }
  return text;
}
