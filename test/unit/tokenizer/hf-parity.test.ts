// Ids must be exactly those of Hugging Face's tokenizers (here its JavaScript port, which follows
// the Rust library's Oniguruma semantics) on the same tokenizer.json: a model trained with our
// ids and served or evaluated elsewhere sees the same tokens.
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import fc from "fast-check";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { loadTokenizerJson, tokenizerFromJson, tokenizerToJson, type Tokenizer } from "../../../src/core/tokenizer";
import { ENDOFTEXT, FILE_SEP, FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX, REPO_NAME } from "../../../src/core/tokenizer/special-tokens";
import { evalDocs, trainedTokenizer } from "./corpus";
import { qwenLayoutJson } from "./qwen-layout";

function hf(json: unknown): HfTokenizer {
  // tokenizer_config.json's clean_up_tokenization_spaces is false for Qwen2; the JS default
  // (true) would rewrite " ." on decode.
  return new HfTokenizer(json as never, { clean_up_tokenization_spaces: false });
}

function firstDifference(a: number[], b: number[]): string {
  const i = a.findIndex((x, k) => x !== b[k]);
  const at = i < 0 ? Math.min(a.length, b.length) : i;
  return `lengths ${a.length} vs ${b.length}, first difference at ${at}: ${JSON.stringify(a.slice(at, at + 6))} vs ${JSON.stringify(b.slice(at, at + 6))}`;
}

function assertSameIds(ours: Tokenizer, ref: HfTokenizer, text: string, name: string): void {
  const a = ours.encode(text, { allowSpecial: true });
  const b = ref.encode(text, { add_special_tokens: false }).ids;
  assert.ok(a.length === b.length && a.every((x, i) => x === b[i]), `${name}: ${firstDifference(a, b)}`);
}

// Text where the pre-tokenizer's corner cases meet: contractions, digits, CRLF, tabs, Unicode
// whitespace (NEL U+0085 is whitespace for Oniguruma, BOM U+FEFF is not), emoji, combining marks.
const TRICKY = [
  "It's, I'M, we'LL, they'D've don't\r\n\tx = 1234567890;\r\n",
  "\ufeff// BOM first\nconst s = 'caf\u0065\u0301' + \"naïve\" + `${a}`;\u0085next\u00a0nbsp\u3000ideo",
  "emoji 😀👩‍💻🇫🇷 and CJK 中文字符 and Arabic مرحبا and Devanagari नमस्ते\n\n\n    \n\t\t\n",
  "trailing spaces   \n   leading\n\n\n" + " ".repeat(300) + "x" + "\t".repeat(50),
  "base64 " + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo".repeat(20),
];

describe("ids identical to @huggingface/tokenizers", () => {
  it("on real code, with our own tokenizer.json", async () => {
    const ours = await trainedTokenizer();
    const ref = hf(tokenizerToJson(ours));
    const docs = evalDocs();
    assert.ok(docs.reduce((n, d) => n + d.text.length, 0) > 400_000, "enough code to compare");
    for (const { name, text } of docs) assertSameIds(ours, ref, text, name);
  });

  it("on corner cases and special tokens", async () => {
    const ours = await trainedTokenizer();
    const ref = hf(tokenizerToJson(ours));
    for (const text of TRICKY) assertSameIds(ours, ref, text, JSON.stringify(text.slice(0, 30)));
    const fim = `${REPO_NAME}repotune${FILE_SEP}src/a.ts\n${FIM_PREFIX}function add(a, b) {\n  ${FIM_SUFFIX}\n}${FIM_MIDDLE}return a + b;${ENDOFTEXT}`;
    assertSameIds(ours, ref, fim, "FIM sample");
    const ids = ours.encode(fim, { allowSpecial: true });
    for (const s of [REPO_NAME, FILE_SEP, FIM_PREFIX, FIM_SUFFIX, FIM_MIDDLE, ENDOFTEXT]) assert.ok(ids.includes(ours.addedTokenId(s)), s);
    assert.equal(ref.decode(ids, { skip_special_tokens: false }), fim);
  });

  it("on a tokenizer.json in Qwen2.5-Coder's layout (NFC, 22 added tokens, FIM tokens not special)", async () => {
    const json = qwenLayoutJson(await trainedTokenizer());
    const ours = tokenizerFromJson(json, "qwen-layout tokenizer.json");
    const ref = hf(json);
    assert.equal(ours.vocabSize, 2041 + 22);
    assert.equal(ours.tokenToId("<|im_end|>"), 2041 + 2);
    assert.ok(!ours.specialIds.has(ours.addedTokenId("<|fim_prefix|>")));
    for (const { name, text } of evalDocs().slice(0, 20)) assertSameIds(ours, ref, text, name);
    for (const text of TRICKY) assertSameIds(ours, ref, text, JSON.stringify(text.slice(0, 30)));
    assertSameIds(ours, ref, "<|im_start|>user\nfix <tool_call>{}</tool_call><|im_end|>\n<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>", "chat + FIM");
    // NFC: a decomposed é is composed before pre-tokenization, as Qwen's tokenizer does.
    assert.deepEqual(ours.encode("cafe\u0301"), ours.encode("caf\u00e9"));
  });

  it("with merges in the [a, b] pair form of tokenizers >= 0.20", async () => {
    const json = qwenLayoutJson(await trainedTokenizer()) as { model: { merges: unknown[] } };
    const legacy = tokenizerFromJson(json);
    json.model.merges = (json.model.merges as string[]).map((m) => m.split(" "));
    const pairs = tokenizerFromJson(json);
    const ref = hf(json);
    const text = evalDocs()[0]!.text;
    assert.deepEqual(pairs.encode(text), legacy.encode(text));
    assertSameIds(pairs, ref, text, "pair-form merges");
  });

  it("on GPT-2's layout (ByteLevel pre-tokenizer with its own regex)", async () => {
    const json = tokenizerToJson(await trainedTokenizer()) as Record<string, unknown>;
    json.pre_tokenizer = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
    const ours = tokenizerFromJson(json);
    const ref = hf(json);
    for (const { name, text } of evalDocs().slice(0, 10)) assertSameIds(ours, ref, text, name);
    for (const text of TRICKY) assertSameIds(ours, ref, text, JSON.stringify(text.slice(0, 30)));
  });

  it("on arbitrary strings (property)", async () => {
    const ours = await trainedTokenizer();
    const qwen = tokenizerFromJson(qwenLayoutJson(ours));
    const refOurs = hf(tokenizerToJson(ours));
    const refQwen = hf(qwenLayoutJson(ours));
    const pieces = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.constantFrom(" ", "\n", "\r\n", "\t", "  ", "'s", "'LL", "😀", "\u0085", "\ufeff", "e\u0301", "42", "<|endoftext|>", "<|fim_prefix|>", "<tool_call>", "function f() {", "    return x;\n"),
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
        const text = parts.join("");
        assertSameIds(ours, refOurs, text, JSON.stringify(text));
        assertSameIds(qwen, refQwen, text, JSON.stringify(text));
      }),
      { numRuns: 300 },
    );
  });
});

describe("a tokenizer.json written by Hugging Face's Rust library", () => {
  // Trained and saved by `tokenizers` 0.22.2 (the library transformers uses) in Qwen2.5-Coder's
  // layout, with the ids it gave: see test/fixtures/tokenizer/make-hf-fixture.py.
  const fixtures = new URL("../../fixtures/tokenizer/", import.meta.url).pathname;
  const expected = JSON.parse(readFileSync(fixtures + "hf-rust.expected.json", "utf8")) as { texts: string[]; ids: number[][] };

  it("loads and gives the Rust library's ids, and decodes to the NFC text", () => {
    const tok = loadTokenizerJson(fixtures + "hf-rust.tokenizer.json");
    assert.equal(tok.vocabSize, 1011);
    expected.texts.forEach((text, i) => {
      const ids = tok.encode(text, { allowSpecial: true });
      assert.deepEqual(ids, expected.ids[i], `text ${i}: ${firstDifference(ids, expected.ids[i]!)}`);
      assert.equal(tok.decode(ids), text.normalize("NFC"));
    });
  });

  it("is written back by us in a form that gives the same ids", () => {
    const tok = loadTokenizerJson(fixtures + "hf-rust.tokenizer.json");
    const again = tokenizerFromJson(tokenizerToJson(tok), "rewritten");
    const ref = hf(tokenizerToJson(tok));
    expected.texts.forEach((text, i) => {
      assert.deepEqual(again.encode(text, { allowSpecial: true }), expected.ids[i]);
      assertSameIds(again, ref, text, `text ${i}`);
    });
  });
});
