/**
 * The pre-tokenizer: a regex splits text into pieces ("pre-tokens") and BPE never merges across
 * them. Patterns are stored in tokenizer.json in Oniguruma syntax (what Hugging Face's Rust
 * library compiles); this module keeps them verbatim for saving and translates them for
 * JavaScript's RegExp.
 */

/**
 * Qwen2's pattern, character for character as in Qwen2 / Qwen2.5-Coder's tokenizer.json
 * (pre_tokenizer.pretokenizers[0].pattern.Regex). Unlike GPT-2's it keeps digits single
 * (`\p{N}`), lets a run of punctuation carry a leading space and its trailing newlines, and
 * gathers blank lines with their indentation: all of it makes code cheaper to tokenize.
 */
export const QWEN2_PATTERN = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

/** GPT-2's pattern, which a ByteLevel pre-tokenizer with `use_regex: true` applies. */
export const GPT2_PATTERN = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

/** Why a pattern cannot be used: the caller adds the file and JSON path. */
export class PatternError extends Error {}

// Oniguruma's \s is the Unicode White_Space property: JavaScript's \s differs from it (it adds
// U+FEFF and lacks U+0085), which would split some files differently from Hugging Face.
const ESCAPES: Readonly<Record<string, string>> = {
  s: String.raw`\p{White_Space}`,
  S: String.raw`\P{White_Space}`,
  d: String.raw`\p{Nd}`,
  D: String.raw`\P{Nd}`,
};
// Oniguruma's Unicode \w (UTS #18 "word"); JavaScript's is ASCII only.
const WORD_IN_CLASS = String.raw`\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}`;
// Escapes that mean the same in both engines.
const SAME_ESCAPES = new Set(["r", "n", "t", "f", "v", "0"]);

/**
 * Translates the Oniguruma subset that byte-level BPE pre-tokenizers use (Qwen2, Llama 3, GPT-2,
 * DeepSeek-style patterns) into a JavaScript pattern for the `u` flag. Node 20 has no inline
 * modifiers, so `(?i:...)` becomes a plain group whose ASCII letters are spelled `[sS]`: ASCII
 * case folding, as llama.cpp (which serves our GGUF files) and Hugging Face's JavaScript library
 * do. The Rust library (Oniguruma) also folds U+017F LATIN SMALL LETTER LONG S into `s`, so it
 * splits "'ſome" as "'ſ" + "ome" where we, llama.cpp and tokenizers.js give "'ſome"; that is the
 * one difference found (checked against tokenizers 0.22.2). Anything outside the subset throws
 * PatternError instead of silently splitting differently.
 */
export function onigurumaToJs(pattern: string): string {
  let out = "";
  let inClass = false;
  const foldStack: boolean[] = [];
  let fold = false;
  let lastQuantifier = false;
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "\\") {
      const e = pattern[i + 1];
      if (e === undefined) throw new PatternError("ends with a lone backslash");
      lastQuantifier = false;
      if ((e === "p" || e === "P") && pattern[i + 2] === "{") {
        const end = pattern.indexOf("}", i);
        if (end < 0) throw new PatternError(`unterminated \\${e}{ at ${i}`);
        out += pattern.slice(i, end + 1);
        i = end + 1;
        continue;
      }
      if (e === "x" && pattern[i + 2] === "{") {
        const end = pattern.indexOf("}", i);
        if (end < 0) throw new PatternError(`unterminated \\x{ at ${i}`);
        out += `\\u{${pattern.slice(i + 3, end)}}`;
        i = end + 1;
        continue;
      }
      if (e in ESCAPES) out += ESCAPES[e];
      else if (e === "w") out += inClass ? WORD_IN_CLASS : `[${WORD_IN_CLASS}]`;
      else if (e === "W" && !inClass) out += `[^${WORD_IN_CLASS}]`;
      else if (SAME_ESCAPES.has(e) || !/[A-Za-z0-9]/.test(e)) out += `\\${e}`;
      else throw new PatternError(`unsupported escape \\${e} at ${i}`);
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === "[") throw new PatternError(`nested character class at ${i}`);
      if (c === "]") inClass = false;
      else if (fold && /[A-Za-z]/.test(c)) throw new PatternError(`letter inside a class under (?i:) at ${i}`);
      out += c;
      i++;
      continue;
    }
    switch (c) {
      case "[":
        inClass = true;
        out += c;
        i++;
        if (pattern[i] === "^") {
          out += "^";
          i++;
        }
        if (pattern[i] === "]") {
          // A leading ] is a literal in Oniguruma but closes the class in JavaScript.
          out += "\\]";
          i++;
        }
        lastQuantifier = false;
        continue;
      case "(": {
        lastQuantifier = false;
        foldStack.push(fold);
        if (pattern.startsWith("(?i:", i)) {
          fold = true;
          out += "(?:";
          i += 4;
          continue;
        }
        const prefix = /^\((?:\?(?:<[=!]|[:=!]))?/.exec(pattern.slice(i))![0];
        if (prefix === "(" && pattern[i + 1] === "?") throw new PatternError(`unsupported group ${pattern.slice(i, i + 4)} at ${i}`);
        out += prefix;
        i += prefix.length;
        continue;
      }
      case ")":
        if (foldStack.length === 0) throw new PatternError(`unbalanced ) at ${i}`);
        fold = foldStack.pop()!;
        out += c;
        i++;
        lastQuantifier = false;
        continue;
      case "+":
      case "*":
      case "?":
      case "{":
        if (c === "+" && lastQuantifier) throw new PatternError(`possessive quantifier at ${i} (JavaScript would backtrack where Oniguruma does not)`);
        if (c === "{") {
          const q = /^\{\d+(?:,\d*)?\}/.exec(pattern.slice(i));
          if (!q) throw new PatternError(`literal { at ${i}`);
          out += q[0];
          i += q[0].length;
        } else {
          out += c;
          i++;
        }
        // `x??` / `x*?` are lazy quantifiers in both engines; a following + is possessive.
        lastQuantifier = c !== "?" || !lastQuantifier;
        continue;
      case ".":
        // Oniguruma's dot excludes only \n; JavaScript's also excludes \r, U+2028 and U+2029.
        out += "[^\\n]";
        i++;
        lastQuantifier = false;
        continue;
      case "^":
      case "$":
        throw new PatternError(`line anchor ${c} at ${i} (its meaning differs between Oniguruma and JavaScript)`);
      default:
        out += fold && /[A-Za-z]/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
        i++;
        lastQuantifier = false;
    }
  }
  if (inClass) throw new PatternError("unterminated character class");
  if (foldStack.length) throw new PatternError("unbalanced (");
  return out;
}

/** Compiles an Oniguruma pre-tokenizer pattern to a global Unicode RegExp. */
export function compilePattern(pattern: string): RegExp {
  const js = onigurumaToJs(pattern);
  try {
    return new RegExp(js, "gu");
  } catch (err) {
    throw new PatternError(`JavaScript rejects its translation /${js}/u: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Splits text into pre-tokens as Hugging Face's Split pre-tokenizer with behavior "Isolated"
 * does: every match is a piece, and so is any text between matches. The regex must be global.
 */
export function splitPieces(text: string, re: RegExp): string[] {
  const out: string[] = [];
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const piece = m[0];
    if (piece.length === 0) {
      // An empty match would loop forever; step over one code point as RegExp's iterators do.
      re.lastIndex = m.index + (text.codePointAt(m.index)! > 0xffff ? 2 : 1);
      continue;
    }
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(piece);
    last = m.index + piece.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
