import fc from "fast-check";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ENDOFTEXT, FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX, SPECIAL_TOKENS } from "../../../src/core/tokenizer/special-tokens";
import { mergeWord, PairTable } from "../../../src/core/tokenizer/merge-word";
import { BYTE_TO_CHAR, Tokenizer } from "../../../src/core/tokenizer";
import { trainedTokenizer } from "./corpus";

// Fragments that stress the byte-level round trip: line endings, tabs, emoji (surrogate pairs,
// ZWJ sequences, flags), combining marks left uncomposed, BOM, NUL and other control bytes.
const FRAGMENTS = ["\r\n", "\r", "\n", "\t", " ", "    ", "😀", "👩‍💻", "🇫🇷", "e\u0301", "\ufeff", "\u0000", "\u0085", "\u00a0", "中文", "'s", "<|endoftext|>", "<|fim", "|>"];

describe("encode and decode", () => {
  it("decode(encode(x)) === x for arbitrary Unicode (property)", async () => {
    const tok = await trainedTokenizer();
    const text = fc.array(fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), fc.constantFrom(...FRAGMENTS)), { maxLength: 20 }).map((p) => p.join(""));
    fc.assert(
      fc.property(text, fc.boolean(), (x, allowSpecial) => {
        const ids = tok.encode(x, { allowSpecial });
        assert.equal(tok.decode(ids), x);
      }),
      { numRuns: 1000 },
    );
  });

  it("round-trips a file that starts with a byte order mark and uses CRLF", async () => {
    const tok = await trainedTokenizer();
    const x = "\ufeffimport x from 'y';\r\n\r\n\tconsole.log(x);\r\n";
    assert.equal(tok.decode(tok.encode(x)), x);
  });

  it("matches special tokens only when asked", async () => {
    const tok = await trainedTokenizer();
    const text = `${FIM_PREFIX}a${FIM_SUFFIX}b${FIM_MIDDLE}c${ENDOFTEXT}`;
    const plain = tok.encode(text);
    for (const s of SPECIAL_TOKENS) assert.ok(!plain.includes(tok.addedTokenId(s)), `${s} is text by default`);
    assert.equal(tok.decode(plain), text);
    const special = tok.encode(text, { allowSpecial: true });
    const id = (s: string): number => tok.addedTokenId(s);
    assert.deepEqual(special, [id(FIM_PREFIX), ...tok.encode("a"), id(FIM_SUFFIX), ...tok.encode("b"), id(FIM_MIDDLE), ...tok.encode("c"), id(ENDOFTEXT)]);
    assert.equal(tok.decode(special), text);
    assert.equal(tok.decode(special, { skipSpecial: true }), "abc");
  });

  it("puts the special tokens after the learned vocabulary, in DESIGN.md's order", async () => {
    const tok = await trainedTokenizer();
    assert.equal(tok.vocabSize, 2048);
    assert.deepEqual(
      SPECIAL_TOKENS.map((s) => tok.addedTokenId(s)),
      SPECIAL_TOKENS.map((_, i) => 2048 - SPECIAL_TOKENS.length + i),
    );
    assert.deepEqual([...tok.specialIds].sort((a, b) => a - b), SPECIAL_TOKENS.map((s) => tok.addedTokenId(s)));
    assert.equal(tok.idToToken(tok.addedTokenId(ENDOFTEXT)), ENDOFTEXT);
    assert.equal(tok.tokens().length, 2048);
  });

  it("gives U+FFFD for ids that end inside a character, and exact bytes through decodeBytes", async () => {
    const tok = await trainedTokenizer();
    const ids = tok.encode("😀");
    assert.equal(ids.length, 4, "an emoji unseen in training is its four bytes");
    assert.equal(tok.decode(ids.slice(0, 2)), "\ufffd");
    assert.deepEqual([...tok.decodeBytes(ids.slice(0, 2))], [0xf0, 0x9f]);
    // A streaming decoder over tokenBytes assembles the character once all bytes have come.
    const stream = new TextDecoder("utf-8", { ignoreBOM: true });
    const parts = ids.map((id) => stream.decode(tok.tokenBytes(id), { stream: true }));
    assert.equal(parts.join("") + stream.decode(), "😀");
  });

  it("throws RangeError for an id outside the vocabulary", async () => {
    const tok = await trainedTokenizer();
    assert.throws(() => tok.decode([5, 2048]), RangeError);
    assert.throws(() => tok.decode([-1]), RangeError);
  });

  it("compresses code: fewer than 1 token per 2 bytes of TypeScript", async () => {
    const tok = await trainedTokenizer();
    const code = "export function add(a: number, b: number): number {\n  return a + b;\n}\n";
    assert.ok(tok.encode(code).length * 2 < Buffer.byteLength(code), `${tok.encode(code).length} tokens`);
  });

  it("encodes a long run of one character quickly (heap merge, no quadratic rescans)", async () => {
    const tok = await trainedTokenizer();
    const x = " ".repeat(200_000) + "a".repeat(200_000);
    const t0 = performance.now();
    const ids = tok.encode(x);
    assert.ok(performance.now() - t0 < 2000, `${performance.now() - t0} ms`);
    assert.equal(tok.decode(ids), x);
  });
});

describe("merge order", () => {
  // The textbook algorithm (GPT-2's bpe()): repeatedly merge every occurrence of the
  // lowest-ranked pair, left to right. The heap version must agree with it on every word.
  function reference(ids: number[], ranks: Map<string, number>, merged: (a: number, b: number) => number): number[] {
    let word = [...ids];
    for (;;) {
      let best = Infinity;
      for (let i = 0; i + 1 < word.length; i++) best = Math.min(best, ranks.get(`${word[i]},${word[i + 1]}`) ?? Infinity);
      if (best === Infinity) return word;
      const next: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && ranks.get(`${word[i]},${word[i + 1]}`) === best) {
          next.push(merged(word[i]!, word[i + 1]!));
          i++;
        } else next.push(word[i]!);
      }
      word = next;
    }
  }

  it("equals the textbook BPE on random words (property)", async () => {
    const tok = await trainedTokenizer();
    const { merges, vocab } = tok.spec;
    const ranks = new Map<string, number>();
    merges.forEach(([a, b], r) => {
      const key = `${vocab.get(a)},${vocab.get(b)}`;
      if (!ranks.has(key)) ranks.set(key, r);
    });
    const table = {
      pairs: new PairTable(merges.map(([a, b]) => [vocab.get(a)!, vocab.get(b)!] as const)),
      results: Int32Array.from(merges, ([a, b]) => vocab.get(a + b)!),
    };
    const merged = (a: number, b: number): number => vocab.get(tok.idToToken(a)! + tok.idToToken(b)!)!;
    const byteId = (b: number): number => vocab.get(BYTE_TO_CHAR[b]!)!;
    // Words drawn from a small alphabet of frequent bytes so that many merges apply.
    const word = fc.array(fc.constantFrom(..." etaoinsr(){};:.=\n".split("").map((c) => c.charCodeAt(0))), { minLength: 0, maxLength: 40 });
    fc.assert(
      fc.property(word, (bytes) => {
        const ids = bytes.map(byteId);
        const got = [...mergeWord(Int32Array.from(ids), ids.length, table)];
        assert.deepEqual(got, reference(ids, ranks, merged));
      }),
      { numRuns: 1000 },
    );
  });

  it("applies merges by rank, not by position", () => {
    // Vocabulary a, b, c, bc, ab; "b c" ranks before "a b", so "abc" is a + bc.
    const tokens = [...BYTE_TO_CHAR];
    const vocab = new Map(tokens.map((t, i) => [t, i]));
    vocab.set("bc", 256);
    vocab.set("ab", 257);
    const tok = new Tokenizer({ vocab, merges: [["b", "c"], ["a", "b"]], addedTokens: [], pattern: "\\p{L}+", normalizer: null });
    assert.deepEqual(tok.encode("abc").map((id) => tok.idToToken(id)), ["a", "bc"]);
    assert.deepEqual(tok.encode("abab").map((id) => tok.idToToken(id)), ["ab", "ab"]);
  });
});
