import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BYTE_TO_CHAR,
  BYTES_IN_ID_ORDER,
  bytesToSymbols,
  compilePattern,
  onigurumaToJs,
  PatternError,
  QWEN2_PATTERN,
  splitPieces,
  symbolsToBytes,
} from "../../../src/core/tokenizer";

describe("GPT-2 byte alphabet", () => {
  it("maps the 256 bytes to 256 distinct printable characters", () => {
    assert.equal(new Set(BYTE_TO_CHAR).size, 256);
    for (const c of BYTE_TO_CHAR) assert.match(c, /^[^\s\p{Cc}]$/u);
  });

  it("has GPT-2's well-known assignments", () => {
    assert.equal(BYTE_TO_CHAR[0x20], "Ġ"); // space
    assert.equal(BYTE_TO_CHAR[0x0a], "Ċ"); // newline
    assert.equal(BYTE_TO_CHAR[0x09], "ĉ"); // tab
    assert.equal(BYTE_TO_CHAR[0x00], "Ā");
    assert.equal(BYTE_TO_CHAR[0x41], "A");
    assert.equal(BYTE_TO_CHAR[0xad], "Ń"); // soft hyphen, the last remapped byte
  });

  it("orders ids as GPT-2 and Qwen2 vocabularies do", () => {
    // Qwen2's vocab: "!" is 0, "~" is 93, "¡" is 94, "Ā" (byte 0) is 188, "Ġ" (space) is 220.
    assert.equal(BYTE_TO_CHAR[BYTES_IN_ID_ORDER[0]!], "!");
    assert.equal(BYTE_TO_CHAR[BYTES_IN_ID_ORDER[93]!], "~");
    assert.equal(BYTE_TO_CHAR[BYTES_IN_ID_ORDER[94]!], "¡");
    assert.equal(BYTES_IN_ID_ORDER[188], 0);
    assert.equal(BYTES_IN_ID_ORDER[220], 0x20);
  });

  it("round-trips bytes through symbols", () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    assert.deepEqual(symbolsToBytes(bytesToSymbols(bytes)), bytes);
    assert.equal(symbolsToBytes("a b"), undefined, "a real space is not an alphabet character");
  });
});

describe("Qwen2 pre-tokenizer", () => {
  const re = compilePattern(QWEN2_PATTERN);

  it("is Qwen2's tokenizer.json regex verbatim", () => {
    assert.equal(
      QWEN2_PATTERN,
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    );
  });

  it("translates it to JavaScript with ASCII case folding and Unicode White_Space", () => {
    assert.equal(
      onigurumaToJs(QWEN2_PATTERN),
      "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\p{White_Space}\\p{L}\\p{N}]+[\\r\\n]*|\\p{White_Space}*[\\r\\n]+|\\p{White_Space}+(?!\\P{White_Space})|\\p{White_Space}+",
    );
  });

  it("splits as Qwen2 does", () => {
    assert.deepEqual(splitPieces("What is the sum of 40 and 2?", re), ["What", " is", " the", " sum", " of", " ", "4", "0", " and", " ", "2", "?"]);
    assert.deepEqual(splitPieces("I'LL say it's", re), ["I", "'LL", " say", " it", "'s"]);
    assert.deepEqual(splitPieces("if (x) {\r\n\treturn 1;\r\n}\n\n", re), ["if", " (", "x", ")", " {\r\n", "\treturn", " ", "1", ";\r\n", "}\n\n"]);
    // A tab (any non-letter) leads the word after it; blank lines merge with their indentation,
    // and the last space of an indent leads the next word.
    assert.deepEqual(splitPieces("a\n    \n    b", re), ["a", "\n    \n", "   ", " b"]);
  });

  it("treats U+0085 as whitespace and U+FEFF as not, as Oniguruma does", () => {
    assert.deepEqual(splitPieces("a\u0085b", re), ["a", "\u0085b"]);
    assert.deepEqual(splitPieces("\ufeffimport", re), ["\ufeffimport"]);
  });

  it("keeps every character: the pieces concatenate to the text", () => {
    const text = "x = 'héllo' + `${y}`;\u00a0\u3000😀\t\r\n";
    assert.equal(splitPieces(text, re).join(""), text);
  });

  it("refuses Oniguruma constructs it cannot translate faithfully", () => {
    for (const p of ["a++", "(?>a)", "^a", "\\Ga", "\\bword", "[[a]]", "(?i:[a-z])"]) {
      assert.throws(() => onigurumaToJs(p), PatternError, p);
    }
  });
});
