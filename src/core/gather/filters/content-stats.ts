// The counts the content rules need: line lengths (minified) and digits (data-heavy). Counted
// over UTF-8 bytes by byte-scan.ts, in the same pass as the near-duplicate shingles.

export interface ContentStats {
  bytes: number;
  lines: number;
  /** The longest line, in bytes. */
  maxLineLength: number;
  /** Bytes in lines longer than LONG_LINE. */
  longLineBytes: number;
  digits: number;
  /** Bytes other than space, tab, CR and LF. */
  nonBlank: number;
}

export const LONG_LINE = 1_000;
