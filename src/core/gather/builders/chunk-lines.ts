// Splits a long text into pieces at line boundaries, for pretrain records that a trainer can
// pack without cutting a line in half. Pieces are [start, end) offsets into the text.
import type { LineIndex } from "../text/line-index";
import { codePointBoundary } from "./fim-spans";

export function chunkByLines(index: LineIndex, maxChars: number): Array<[number, number]> {
  const text = index.text;
  if (text.length <= maxChars) return text.length === 0 ? [] : [[0, text.length]];
  const chunks: Array<[number, number]> = [];
  let chunkStart = 0;
  for (let line = 0; line < index.count; line++) {
    const lineEnd = index.end(line);
    if (lineEnd - chunkStart <= maxChars) continue;
    const lineStart = index.start(line);
    if (lineStart > chunkStart) {
      chunks.push([chunkStart, lineStart]);
      chunkStart = lineStart;
    }
    // A single line longer than a chunk (rare: minified files are excluded) is cut by length.
    while (lineEnd - chunkStart > maxChars) {
      let cut = codePointBoundary(text, chunkStart + maxChars);
      if (cut <= chunkStart) cut = chunkStart + maxChars + 1; // a one-character budget and a pair: keep the pair whole
      chunks.push([chunkStart, cut]);
      chunkStart = cut;
    }
  }
  if (chunkStart < text.length) chunks.push([chunkStart, text.length]);
  return chunks;
}
