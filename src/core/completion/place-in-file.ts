// A cursor place in a file (1-based line and column, as editors and `file:line:col` show
// them) turned into the prefix and suffix a completion needs, and the mode that fits it.
import type { CompletionMode } from "./place";

export interface FilePlace {
  prefix: string;
  suffix: string;
  offset: number;
}

/** Columns count UTF-16 code units, as VS Code positions do; column = line length + 1 is the line's end. */
export function placeInText(text: string, line: number, column: number, budget = { prefixChars: 4000, suffixChars: 1000 }): FilePlace {
  if (!Number.isInteger(line) || line < 1) throw new Error(`line must be a positive integer, got ${line}`);
  if (!Number.isInteger(column) || column < 1) throw new Error(`column must be a positive integer, got ${column}`);
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) throw new Error(`line ${line} is past the end of the file (it has ${l} lines)`);
    start = nl + 1;
  }
  const end = text.indexOf("\n", start);
  const lineText = text.slice(start, end < 0 ? text.length : end).replace(/\r$/, "");
  if (column > lineText.length + 1) throw new Error(`column ${column} is past the end of line ${line} (${lineText.length} characters)`);
  const offset = start + column - 1;
  return {
    prefix: text.slice(Math.max(0, offset - budget.prefixChars), offset),
    suffix: text.slice(offset, offset + budget.suffixChars),
    offset,
  };
}

/**
 * Block mode where a block is likely to start: on a blank line, or at the end of a line that
 * opens one (`{`, `:`, `(`, `[`, `=>`); line mode everywhere else (in the middle of a line).
 */
export function chooseMode(prefix: string, suffix: string): CompletionMode {
  const linePrefix = prefix.slice(prefix.lastIndexOf("\n") + 1);
  const nl = suffix.indexOf("\n");
  const lineSuffix = nl < 0 ? suffix : suffix.slice(0, nl);
  if (lineSuffix.trim() !== "") return "line";
  if (linePrefix.trim() === "") return "block";
  return /([{([:]|=>)\s*$/.test(linePrefix) ? "block" : "line";
}
