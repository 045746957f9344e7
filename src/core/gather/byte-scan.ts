// One pass over a file's bytes for everything that must look at every byte: the line lengths
// and digit count of the content rules, and the shingles of the near-duplicate signature.
// This is the hottest loop of gathering, so it is one loop over a Uint8Array (faster in V8
// than charCodeAt over a string), with no call and no allocation per byte or token.
//
// Shingles are 5-token windows; tokens are identifier/number runs (bytes >= 0x80 count as
// identifier bytes, so non-ASCII names stay whole) and single punctuation bytes; whitespace
// is skipped, so a reindented copy has its original's shingles. The shingle hash rolls: a
// polynomial over the last five token hashes, updated in O(1) per token.
import { finalMix32 } from "../random/seeded-random";
import { EMPTY_BIN, MINHASH_BINS, recordShingle } from "./dedup/minhash";
import { LONG_LINE, type ContentStats } from "./filters/content-stats";

export const SHINGLE_TOKENS = 5;
const BASE = 0x01000193;
/** BASE^(SHINGLE_TOKENS - 1), mod 2^32: the weight of the token leaving the window. */
const BASE_POW = Math.imul(Math.imul(BASE, BASE), Math.imul(BASE, BASE));

export interface ByteScan {
  stats: ContentStats;
  shingles: number;
  /** Per MinHash bin, the smallest shingle value that fell in it (EMPTY_BIN when none). */
  bins: Uint32Array;
}

export function scanBytes(b: Uint8Array): ByteScan {
  const bins = new Uint32Array(MINHASH_BINS).fill(EMPTY_BIN);
  const ring = new Int32Array(SHINGLE_TOKENS);
  let slot = 0;
  let rolling = 0;
  let tokens = 0;
  let lines = 0;
  let maxLineLength = 0;
  let longLineBytes = 0;
  let digits = 0;
  let blank = 0;
  let lineStart = 0;
  const n = b.length;
  let i = 0;
  while (i < n) {
    let c = b[i] as number;
    if (c <= 0x20) {
      if (c === 0x0a) {
        const length = i - lineStart;
        if (length > maxLineLength) maxLineLength = length;
        if (length > LONG_LINE) longLineBytes += length;
        lines++;
        lineStart = i + 1;
      }
      if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) blank++;
      i++;
      continue;
    }
    let h = 0x811c9dc5;
    if (isWordByte(c)) {
      for (;;) {
        if (c >= 0x30 && c <= 0x39) digits++;
        h = Math.imul(h ^ c, BASE);
        if (++i >= n) break;
        c = b[i] as number;
        if (!isWordByte(c)) break;
      }
    } else {
      h = Math.imul(h ^ c, BASE);
      i++;
    }
    // Drop the oldest token's term once the window is full, shift, add the new token.
    if (tokens >= SHINGLE_TOKENS) rolling = (rolling - Math.imul(ring[slot] as number, BASE_POW)) | 0;
    rolling = (Math.imul(rolling, BASE) + h) | 0;
    ring[slot] = h;
    slot = slot === SHINGLE_TOKENS - 1 ? 0 : slot + 1;
    if (++tokens >= SHINGLE_TOKENS) recordShingle(bins, finalMix32(rolling));
  }
  if (lineStart < n) {
    const length = n - lineStart;
    if (length > maxLineLength) maxLineLength = length;
    if (length > LONG_LINE) longLineBytes += length;
    lines++;
  }
  return {
    stats: { bytes: n, lines, maxLineLength, longLineBytes, digits, nonBlank: n - blank },
    shingles: Math.max(0, tokens - SHINGLE_TOKENS + 1),
    bins,
  };
}

function isWordByte(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x24 || c >= 0x80;
}
