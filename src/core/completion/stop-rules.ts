// Where a completion ends. Line mode: at the end of the cursor's line. Block mode: before a
// blank line or a line indented less than the cursor's line (the block is over), as Continue
// and llama.vscode stop multi-line suggestions. Each rule works on a partial text too, so the
// same rule stops generation early (no tokens spent past the end) and cuts the final text.
import { indentOf, type PlaceLines } from "./place";

/** Line mode: everything before the first line break. */
export function cutAtLineEnd(text: string): string {
  const i = text.indexOf("\n");
  return i < 0 ? text : text.slice(0, i);
}

/**
 * Block mode. Lines after the first are checked; the last line, still being generated, only
 * once it has a non-blank character (its indentation is then known).
 */
export function cutAtBlockEnd(text: string, place: PlaceLines): string {
  const lines = text.split("\n");
  const base = indentOf(place.linePrefix + lines[0]!);
  const firstHasContent = (place.linePrefix + lines[0]!).trim() !== "";
  let sawContent = firstHasContent;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const complete = i < lines.length - 1;
    if (line.trim() === "") {
      // A blank line ends the block, once the block has started.
      if (complete && sawContent) return lines.slice(0, i).join("\n");
      continue;
    }
    // A line indented less than the cursor's line closes the enclosing block: stop before it.
    // When the cursor's line is blank, its indentation is where the block's body sits.
    if (indentOf(line) < base) return lines.slice(0, i).join("\n");
    sawContent = true;
  }
  return text;
}

/** Whether generation can stop: the stop rule of the mode would cut what we have. */
export function reachedEnd(text: string, place: PlaceLines): boolean {
  if (place.mode === "line") return text.includes("\n");
  return cutAtBlockEnd(text, place).length < text.length;
}
