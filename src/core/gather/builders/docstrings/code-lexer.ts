// Just enough lexing of C-family code to match braces: comments, string and character
// literals are stepped over so a "}" inside them does not end a function. Not a parser; the
// callers cap how far they look, so a construct it misreads costs one pair, never a hang.

export interface LexStyle {
  /** Backticks delimit strings (JS templates, Go raw strings, Kotlin/Scala none). */
  backtickStrings: boolean;
  /** Single quotes delimit strings (JS, PHP) rather than character literals (C, Java, Rust). */
  singleQuoteStrings: boolean;
}

/** Whether a comment or literal may start with this character: / " ' ` (the common case is no). */
function startsTrivia(c: number): boolean {
  return c === 0x2f || c === 0x22 || c === 0x27 || c === 0x60;
}

/** If a comment or literal starts at `p`, the index just after it; otherwise `p`. */
export function skipTrivia(text: string, p: number, style: LexStyle): number {
  const c = text.charCodeAt(p);
  const next = text.charCodeAt(p + 1);
  if (c === 0x2f /* / */ && next === 0x2f) {
    const nl = text.indexOf("\n", p);
    return nl === -1 ? text.length : nl;
  }
  if (c === 0x2f && next === 0x2a /* * */) {
    const close = text.indexOf("*/", p + 2);
    return close === -1 ? text.length : close + 2;
  }
  if (c === 0x22 /* " */) return skipQuoted(text, p, 0x22, true);
  if (c === 0x60 /* ` */ && style.backtickStrings) return skipQuoted(text, p, 0x60, false);
  if (c === 0x27 /* ' */) {
    if (style.singleQuoteStrings) return skipQuoted(text, p, 0x27, true);
    // A character literal ('a', '\n', '\u{1F600}') closes within a few characters; otherwise
    // the quote is a Rust lifetime ('a) or a digit separator (1'000) and is just a character.
    const limit = Math.min(text.length, p + 12);
    for (let q = p + 1; q < limit; q++) {
      const d = text.charCodeAt(q);
      if (d === 0x5c /* \ */) {
        q++;
        continue;
      }
      if (d === 0x27) return q + 1;
      if (d === 0x0a || q - p > 2) break;
    }
    return p + 1;
  }
  return p;
}

function skipQuoted(text: string, p: number, quote: number, stopAtNewline: boolean): number {
  for (let q = p + 1; q < text.length; q++) {
    const d = text.charCodeAt(q);
    if (d === 0x5c) q++;
    else if (d === quote) return q + 1;
    else if (d === 0x0a && stopAtNewline) return q;
  }
  return text.length;
}

/**
 * The "{" that opens the body of the declaration starting at `from`: the first one outside
 * parentheses and brackets (decorator arguments, parameter defaults). -1 when the declaration
 * ends first (";" or "}" at depth 0, a blank line, or `limit`).
 */
export function findBodyOpen(text: string, from: number, limit: number, style: LexStyle, sameLineOnly: boolean): number {
  let depth = 0;
  let p = from;
  const end = Math.min(limit, text.length);
  while (p < end) {
    const c = text.charCodeAt(p);
    if (startsTrivia(c)) {
      const skipped = skipTrivia(text, p, style);
      if (skipped !== p) {
        p = skipped;
        continue;
      }
    }
    if (c === 0x28 /* ( */ || c === 0x5b /* [ */) depth++;
    else if (c === 0x29 || c === 0x5d) depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      if (c === 0x7b /* { */) return p;
      if (c === 0x3b /* ; */ || c === 0x7d /* } */) return -1;
      if (c === 0x0a) {
        if (sameLineOnly) return -1;
        // A blank line ends a declaration that never opened a body.
        let q = p + 1;
        while (text.charCodeAt(q) === 0x20 || text.charCodeAt(q) === 0x09 || text.charCodeAt(q) === 0x0d) q++;
        if (text.charCodeAt(q) === 0x0a) return -1;
      }
    }
    p++;
  }
  return -1;
}

/** Index of the "}" matching the "{" at `open`, or -1 past `limit`. */
export function matchBrace(text: string, open: number, limit: number, style: LexStyle): number {
  let depth = 0;
  let p = open;
  const end = Math.min(limit, text.length);
  while (p < end) {
    const c = text.charCodeAt(p);
    if (startsTrivia(c)) {
      const skipped = skipTrivia(text, p, style);
      if (skipped !== p) {
        p = skipped;
        continue;
      }
    }
    if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) return p;
    p++;
  }
  return -1;
}
