// What the post-processing steps know about the place of a completion: the text around the
// cursor, split the way the rules need it (the cursor's line, the line above, the next line).

export type CompletionMode = "line" | "block";

export interface CompletionPlace {
  prefix: string;
  suffix: string;
  mode: CompletionMode;
}

export interface PlaceLines extends CompletionPlace {
  /** The cursor's line up to the cursor. */
  linePrefix: string;
  /** The cursor's line after the cursor. */
  lineSuffix: string;
  /** The line above the cursor's ("" on the first line). */
  lineAbove: string;
  /** The first line below the cursor's that is not blank ("" when none). */
  nextLine: string;
}

export function placeLines(place: CompletionPlace): PlaceLines {
  const lastBreak = place.prefix.lastIndexOf("\n");
  const linePrefix = place.prefix.slice(lastBreak + 1);
  const before = lastBreak < 0 ? "" : place.prefix.slice(0, lastBreak);
  const lineAbove = before.slice(before.lastIndexOf("\n") + 1);
  const firstBreak = place.suffix.indexOf("\n");
  const lineSuffix = firstBreak < 0 ? place.suffix : place.suffix.slice(0, firstBreak);
  const below = firstBreak < 0 ? [] : place.suffix.slice(firstBreak + 1).split("\n", 50);
  const nextLine = below.find((l) => l.trim() !== "") ?? "";
  return { ...place, linePrefix, lineSuffix, lineAbove, nextLine };
}

export function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}
