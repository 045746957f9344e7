// Line positions of a text, computed once per file: the FIM spans, docstring pairs and
// held-out probes all work in lines, and scanning for "\n" again for each would cost more
// than the rest of their work.

export class LineIndex {
  /** Offset of the first character of each line; a text ending in "\n" has no empty last line. */
  private readonly starts: Int32Array;
  readonly count: number;

  constructor(readonly text: string) {
    // Count first, then fill: two memchr-speed passes beat growing a JS array.
    let lines = 1;
    for (let i = text.indexOf("\n"); i !== -1 && i + 1 < text.length; i = text.indexOf("\n", i + 1)) lines++;
    this.starts = new Int32Array(lines);
    let line = 1;
    for (let i = text.indexOf("\n"); i !== -1 && i + 1 < text.length; i = text.indexOf("\n", i + 1)) this.starts[line++] = i + 1;
    this.count = text.length === 0 ? 0 : lines;
  }

  /** Offset of line i's first character (0-based line). */
  start(i: number): number {
    return this.starts[i] ?? this.text.length;
  }

  /** Offset just past line i's content: before its "\n" (and a "\r" before that). */
  contentEnd(i: number): number {
    let end = i + 1 < this.count ? this.start(i + 1) - 1 : this.text.length;
    if (end > this.start(i) && this.text.charCodeAt(end - 1) === 0x0a) end--; // last line ending in "\n"
    if (end > this.start(i) && this.text.charCodeAt(end - 1) === 0x0d) end--;
    return end;
  }

  /** Offset just past line i including its line break. */
  end(i: number): number {
    return i + 1 < this.count ? this.start(i + 1) : this.text.length;
  }

  content(i: number): string {
    return this.text.slice(this.start(i), this.contentEnd(i));
  }

  /** Width of line i's leading spaces and tabs. */
  indentWidth(i: number): number {
    const start = this.start(i);
    const end = this.contentEnd(i);
    let p = start;
    while (p < end) {
      const c = this.text.charCodeAt(p);
      if (c !== 0x20 && c !== 0x09) break;
      p++;
    }
    return p - start;
  }

  isBlank(i: number): boolean {
    return this.indentWidth(i) === this.contentEnd(i) - this.start(i);
  }

  /** 0-based line holding the character at `offset`. */
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
