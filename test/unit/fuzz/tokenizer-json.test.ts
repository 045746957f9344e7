// Fuzzing the tokenizer.json reader (a base model's or our own tokenizer): any text, any
// structure, gives a Tokenizer or a TokenizerError that names the file, quickly; an id of 2^40
// is refused before an array of that length is made.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { BYTE_TO_CHAR, loadTokenizerJson, parseTokenizerJson, QWEN2_PATTERN, Tokenizer, TokenizerError, tokenizerToJson } from "../../../src/core/tokenizer";
import { checkReader, deepJson, mutatedBytes, newStats, SEED } from "./harness";

const SOURCE = "fuzz/tokenizer.json";

function validJson(): Record<string, unknown> {
  const vocab = new Map(Array.from({ length: 256 }, (_, b) => [BYTE_TO_CHAR[b]!, b] as [string, number]));
  const merges: [string, string][] = [["a", "b"], ["ab", "c"], ["Ġ", "t"]];
  for (const [a, b] of merges) vocab.set(a + b, vocab.size);
  const addedTokens = [
    { id: vocab.size, content: "<|endoftext|>", special: true },
    { id: vocab.size + 1, content: "<|fim_prefix|>", special: false },
  ];
  return tokenizerToJson(new Tokenizer({ vocab, merges, addedTokens, pattern: QWEN2_PATTERN, normalizer: "NFC" }));
}

const stats = newStats();
/** The reader's contract on one text: a tokenizer that encodes, or a TokenizerError naming the source. */
function check(text: string): void {
  const err = checkReader(
    [TokenizerError],
    () => parseTokenizerJson(text, SOURCE).encode("abc def <|endoftext|>"),
    () => `${text.length} characters: ${JSON.stringify(text.slice(0, 300))}`,
    stats,
  );
  if (err) {
    assert.ok(err.message.startsWith(`${SOURCE}: `), `the message names the file: ${err.message.slice(0, 200)}`);
    assert.ok(err.message.length < 1000, `a message of ${err.message.length} characters`);
  }
}

/** JSON paths into the valid file that a corrupt one gets wrong. */
const PATHS = [
  ["model"], ["model", "type"], ["model", "vocab"], ["model", "vocab", "a"], ["model", "vocab", "abc"], ["model", "vocab", "<new>"],
  ["model", "merges"], ["model", "merges", 0], ["model", "merges", 2], ["model", "merges", 9], ["model", "dropout"], ["model", "ignore_merges"],
  ["model", "byte_fallback"], ["model", "continuing_subword_prefix"], ["added_tokens"], ["added_tokens", 0], ["added_tokens", 0, "id"],
  ["added_tokens", 1, "content"], ["added_tokens", 1, "lstrip"], ["added_tokens", 5], ["normalizer"], ["normalizer", "type"],
  ["pre_tokenizer"], ["pre_tokenizer", "type"], ["pre_tokenizer", "pretokenizers"], ["pre_tokenizer", "pretokenizers", 0, "pattern"],
  ["pre_tokenizer", "pretokenizers", 0, "pattern", "Regex"], ["pre_tokenizer", "pretokenizers", 1, "use_regex"], ["decoder"], ["post_processor"],
] as const;

/** Stand-ins swapped for what fast-check could not print: 20,000 nested arrays, a Sequence normalizer as deep, 100,000 x's. */
const DEEP = "<deep>";
const DEEP_NORMALIZER = "<deep normalizer>";
const LONG = "<long>";
function expand(json: string): string {
  return json
    .replaceAll(JSON.stringify(LONG), JSON.stringify("x".repeat(100_000)))
    .replaceAll(JSON.stringify(DEEP), deepJson(20_000))
    .replaceAll(JSON.stringify(DEEP_NORMALIZER), deepJson(20_000, '{"type":"Sequence","normalizers":[', "]}", '{"type":"NFC"}'));
}

function setPath(root: unknown, path: readonly (string | number)[], value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null) return;
    node = next as Record<string | number, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

describe("fuzzing the tokenizer.json reader", () => {
  const valid = validJson();
  const text = JSON.stringify(valid);

  it("reads the valid file (the fuzzing starts from a file that works)", () => {
    check(text);
    assert.equal(parseTokenizerJson(text).vocabSize, 261);
  });

  it("arbitrary text, and arbitrary JSON", () => {
    const anyText = fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.json({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ model: v })));
    fc.assert(fc.property(anyText, (t) => check(t)), { seed: SEED, numRuns: 1500 });
  });

  it("the valid file's bytes with random mutations", () => {
    const bytes = new TextEncoder().encode(text);
    fc.assert(fc.property(mutatedBytes(bytes), (b) => check(Buffer.from(b).toString("utf8"))), { seed: SEED, numRuns: 500 });
  });

  it("the valid file with fields of the wrong shape: huge ids, odd types, deep nesting, huge strings", () => {
    const weird = fc.oneof(
      fc.constantFrom<unknown>(
        null, true, false, 0, -1, 0.5, 255, 258, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53, 1e308, "", " ", "a b", "a  b", LONG,
        "BPE", "WordPiece", "ByteLevel", "Sequence", "NFC", "Split", "(", "(?<=a)", "a{2,1}", [], {}, ["a"], ["a", "b"], ["a", "b", "c"],
        { type: "ByteLevel" }, { type: "Sequence", normalizers: [] }, { Regex: "\\p{L}+" }, { String: " " }, DEEP, DEEP_NORMALIZER,
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const edit = fc.record({ path: fc.constantFrom(...PATHS), value: weird });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const json = structuredClone(valid);
        for (const e of edits) setPath(json, e.path, e.value);
        check(expand(JSON.stringify(json)));
      }),
      { seed: SEED, numRuns: 1200 },
    );
  });

  it("refuses a vocabulary id of 2^40 at once, without an array of that length", () => {
    for (const id of [2 ** 40, 2 ** 31, 1e308, 2 ** 24]) {
      const json = structuredClone(valid) as { model: { vocab: Record<string, number> } };
      json.model.vocab["<far>"] = id;
      check(JSON.stringify(json));
      assert.throws(() => parseTokenizerJson(JSON.stringify(json), SOURCE), /model\.vocab\["<far>"\]: id \d.* is far beyond/);
    }
    const added = structuredClone(valid) as { added_tokens: { id: number }[] };
    added.added_tokens[0]!.id = 2 ** 40;
    assert.throws(() => parseTokenizerJson(JSON.stringify(added), SOURCE), /added_tokens\[0\]: id 1099511627776 is far beyond/);
  });

  it("refuses nesting too deep for a recursive reader, and long values, with a short message", () => {
    for (const json of [
      deepJson(100_000),
      `{"model":${deepJson(100_000, '{"a":', "}")}}`,
      expand(JSON.stringify({ ...valid, normalizer: DEEP_NORMALIZER })),
      expand(JSON.stringify({ ...valid, pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "Split", pattern: { String: DEEP }, behavior: "Isolated" }, { type: "ByteLevel", use_regex: false }] } })),
      JSON.stringify({ ...valid, model: { ...(valid.model as object), type: "x".repeat(1_000_000) } }),
    ]) {
      check(json);
    }
  });

  describe("a file on disk", () => {
    const dir = mkdtempSync(join(tmpdir(), "repotune-fuzz-tok-"));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("refuses invalid UTF-8 and UTF-16 by name, and reads a UTF-8 byte order mark", () => {
      const path = join(dir, "tokenizer.json");
      const bytes = Buffer.from(text, "utf8");
      writeFileSync(path, Buffer.concat([bytes.subarray(0, 40), Buffer.from([0xff, 0xfe]), bytes.subarray(40)]));
      assert.throws(() => loadTokenizerJson(path), (err: unknown) => err instanceof TokenizerError && err.message.startsWith(`${path}: `) && /not valid UTF-8 \(at byte 40\)/.test(err.message));
      for (const bom of [Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff])]) {
        const body = Buffer.from(text, "utf16le");
        writeFileSync(path, Buffer.concat([bom, bom[0] === 0xff ? body : body.swap16()]));
        assert.throws(() => loadTokenizerJson(path), /tokenizer\.json: .*UTF-16.*save it as UTF-8/);
      }
      writeFileSync(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]));
      assert.equal(loadTokenizerJson(path).vocabSize, 261);
    });
  });

  after(() => {
    console.log(`tokenizer.json fuzz: ${stats.inputs} inputs, ${stats.returned} read, ${stats.threw} refused, slowest ${stats.slowestMs.toFixed(1)} ms`);
  });
});
