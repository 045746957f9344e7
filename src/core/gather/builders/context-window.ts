// The context an editor sends around the cursor: up to so many characters before and after,
// cut at line boundaries (a completion request never starts mid-line). FIM samples and
// held-out probes are cut the same way, so what is trained is what is asked.
import type { LineIndex } from "../text/line-index";

/** [from, to) around the span [start, end): prefix text.slice(from, start), suffix text.slice(end, to). */
export function contextWindow(index: LineIndex, start: number, end: number, prefixChars: number, suffixChars: number): { from: number; to: number } {
  const text = index.text;
  let from = 0;
  if (start - prefixChars > 0) {
    // The first whole line inside the budget; never later than the cursor's own line.
    const line = index.lineAt(start - prefixChars);
    const next = index.start(line) === start - prefixChars ? index.start(line) : index.end(line);
    from = Math.min(next, index.start(index.lineAt(start)));
  }
  let to = text.length;
  if (end + suffixChars < text.length) {
    // Whole lines inside the budget; always at least the rest of the span's own line.
    const line = index.lineAt(end + suffixChars);
    to = Math.max(index.start(line), index.end(index.lineAt(Math.max(end - 1, 0))), end);
    if (to > text.length) to = text.length;
  }
  return { from, to };
}
