import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadTokenizerJson, parseTokenizerJson, saveTokenizerJson, serializeTokenizerJson, TokenizerError, tokenizerToJson } from "../../../src/core/tokenizer";
import { evalDocs, trainedTokenizer } from "./corpus";

const dir = mkdtempSync(join(tmpdir(), "repotune-tok-"));
after(() => rmSync(dir, { recursive: true, force: true }));

type Mutable = { [key: string]: unknown } & { model: { vocab: Record<string, unknown>; merges: unknown[]; [key: string]: unknown } };
async function freshJson(): Promise<Mutable> {
  return JSON.parse(serializeTokenizerJson(await trainedTokenizer())) as Mutable;
}

/** Writes `text` to a file, loads it, and returns the TokenizerError it must raise. */
function loadError(name: string, text: string): TokenizerError {
  const path = join(dir, name);
  writeFileSync(path, text);
  try {
    loadTokenizerJson(path);
  } catch (err) {
    assert.ok(err instanceof TokenizerError, `a TokenizerError, got ${String(err)}`);
    assert.equal(err.source, path);
    assert.ok(err.message.startsWith(path + ": "), `the message names the file: ${err.message}`);
    return err;
  }
  assert.fail(`${name} loaded without error`);
}

describe("tokenizer.json", () => {
  it("saves and loads back to the same tokenizer", async () => {
    const tok = await trainedTokenizer();
    const path = join(dir, "tokenizer.json");
    saveTokenizerJson(tok, path);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".tmp")), [], "no temporary file left");
    const back = loadTokenizerJson(path);
    assert.equal(serializeTokenizerJson(back), readFileSync(path, "utf8"));
    assert.equal(back.vocabSize, tok.vocabSize);
    for (const { text } of evalDocs().slice(0, 10)) assert.deepEqual(back.encode(text, { allowSpecial: true }), tok.encode(text, { allowSpecial: true }));
  });

  it("has the layout of Qwen2's file", async () => {
    const json = tokenizerToJson(await trainedTokenizer()) as Mutable;
    assert.deepEqual(Object.keys(json), ["version", "truncation", "padding", "added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder", "model"]);
    assert.deepEqual(json.added_tokens, [
      { id: 2041, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      ...(json.added_tokens as unknown[]).slice(1),
    ]);
    assert.equal((json.added_tokens as unknown[]).length, 7);
    assert.equal(json.normalizer, null);
    assert.deepEqual((json.pre_tokenizer as { pretokenizers: unknown[] }).pretokenizers[1], { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false });
    assert.equal(json.model.type, "BPE");
    assert.equal(json.model.vocab["!"], 0);
    assert.ok(json.model.merges.every((m) => typeof m === "string" && m.split(" ").length === 2));
    assert.equal(Object.keys(json.model.vocab).length, 2041, "added tokens are not in model.vocab, as in Qwen2");
  });

  it("names the file and the problem for a missing, empty, truncated or non-JSON file", async () => {
    const missing = join(dir, "nope.json");
    assert.throws(() => loadTokenizerJson(missing), (err: unknown) => err instanceof TokenizerError && err.message.startsWith(missing) && /cannot be read/.test(err.message));
    assert.match(loadError("empty.json", "").message, /empty/);
    const full = serializeTokenizerJson(await trainedTokenizer());
    assert.match(loadError("truncated.json", full.slice(0, full.length / 2)).message, /truncated/);
    assert.match(loadError("html.json", "<html>404</html>").message, /not valid JSON/);
    assert.match(loadError("array.json", "[]").message, /must be an object, found an array/);
  });

  it("says which part is wrong in a corrupt file", async () => {
    const cases: [string, (j: Mutable) => void, RegExp][] = [
      ["no model", (j) => delete (j as Record<string, unknown>).model, /: model: must be an object/],
      ["vocab not an object", (j) => ((j.model as Record<string, unknown>).vocab = []), /model\.vocab: must be an object/],
      ["bad id", (j) => (j.model.vocab["!"] = "zero"), /model\.vocab\["!"\]: id must be a non-negative integer/],
      ["duplicate id", (j) => (j.model.vocab["\""] = 0), /id 0 is already used/],
      ["missing byte", (j) => delete j.model.vocab["Ā"], /model\.vocab: lacks the single-byte token "Ā" \(byte 0x00\)/],
      ["merge of unknown token", (j) => (j.model.merges[3] = "Ġ zzzq"), /model\.merges\[3\]: "zzzq" is not in model\.vocab/],
      ["merge result missing", (j) => (j.model.merges[0] = "! !"), /model\.merges\[0\]: the merged token "!!" is not in model\.vocab/],
      ["malformed merge", (j) => (j.model.merges[5] = "abc"), /model\.merges\[5\]: the string "abc" is not two tokens/],
      ["merges not an array", (j) => ((j.model as Record<string, unknown>).merges = {}), /model\.merges: must be an array/],
      ["unigram model", (j) => (j.model.type = "Unigram"), /model\.type: "Unigram" is not supported/],
      ["word suffix", (j) => (j.model.end_of_word_suffix = "</w>"), /model\.end_of_word_suffix/],
      ["added token id", (j) => ((j.added_tokens as { id: unknown }[])[2]!.id = -4), /added_tokens\[2\]\.id: must be a non-negative integer/],
      ["added token clash", (j) => ((j.added_tokens as { id: unknown }[])[1]!.id = 5), /added_tokens\[1\]: id 5 is "<\|fim_prefix\|>" here but "&" in model\.vocab/],
      ["lstrip", (j) => ((j.added_tokens as { lstrip: boolean }[])[0]!.lstrip = true), /added_tokens\[0\]\.lstrip: true is not supported/],
      ["normalizer", (j) => (j.normalizer = { type: "Lowercase" }), /normalizer\.type: "Lowercase" is not supported/],
      ["pre-tokenizer", (j) => (j.pre_tokenizer = { type: "Whitespace" }), /pre_tokenizer\.type: "Whitespace" is not supported/],
      ["split behaviour", (j) => ((j.pre_tokenizer as { pretokenizers: { behavior: string }[] }).pretokenizers[0]!.behavior = "Removed"), /pretokenizers\[0\]\.behavior: "Removed" is not supported/],
      ["regex", (j) => ((j.pre_tokenizer as { pretokenizers: { pattern: unknown }[] }).pretokenizers[0]!.pattern = { Regex: "\\p{L}++" }), /pre_tokenizer: pattern "\\\\p\{L\}\+\+" is not supported: possessive/],
      ["decoder", (j) => (j.decoder = { type: "WordPiece" }), /decoder: .* is not supported/],
      ["post-processor", (j) => (j.post_processor = { type: "TemplateProcessing" }), /post_processor: "TemplateProcessing" is not supported/],
    ];
    for (const [name, corrupt, expected] of cases) {
      const json = await freshJson();
      corrupt(json);
      assert.match(loadError(`${name.replace(/\W/g, "-")}.json`, JSON.stringify(json)).message, expected, name);
    }
  });

  it("accepts the variants real files have", async () => {
    const json = await freshJson();
    delete json.post_processor;
    json.normalizer = { type: "Sequence", normalizers: [{ type: "NFC" }] };
    json.model.ignore_merges = false;
    delete json.model.continuing_subword_prefix;
    const tok = parseTokenizerJson(JSON.stringify(json), "variant.json");
    assert.equal(tok.spec.normalizer, "NFC");
  });
});
