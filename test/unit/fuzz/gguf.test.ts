// Fuzzing the GGUF reader (header, metadata, tensor infos, tensor data and dequantisation, the
// model config and vocabulary built from the metadata): whatever the bytes, a GgufFormatError
// that names the file, quickly, and nothing allocated from a count or length the file cannot hold.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import {
  encodeGguf, f32, GGML_TYPE, GgufFormatError, ggufModelConfig, i32s, parseGguf, readGguf, readGgufTensor, str, strings, tokenizerFromGguf, u32,
  type GgufMetadata, type GgufTensorSource,
} from "../../../src/core/formats/gguf";
import { BYTE_TO_CHAR } from "../../../src/core/tokenizer";
import { checkReader, hexHead, hugeU64s, mutatedBytes, newStats, prefixes, SEED, u64AtEveryOffset } from "./harness";

const LABEL = "fuzz.gguf";

const tensor = (name: string, shape: number[], type: GgufTensorSource["type"]): GgufTensorSource => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, shape, type, read: () => Float32Array.from({ length: n }, (_, i) => Math.sin(i)) };
};

/** A small file with every value type and three tensor types; a Q8_0 row of 256 also fits the K-quants' block. */
function smallFile(): Uint8Array {
  const meta: GgufMetadata = new Map([
    ["general.architecture", str("qwen2")],
    ["general.name", str("fuzz ü")],
    ["qwen2.block_count", u32(1)],
    ["qwen2.rope.freq_base", f32(1e6)],
    ["flag", { type: "bool", value: true }],
    ["big", { type: "u64", value: 2n ** 40n }],
    ["neg", { type: "i64", value: -5n }],
    ["list", strings(["a", "bc", ""])],
    ["ints", i32s([1, -2, 3])],
  ]);
  return encodeGguf(meta, [tensor("a.weight", [3, 4], "F32"), tensor("b.weight", [2, 5], "F16"), tensor("c.weight", [2, 256], "Q8_0")]);
}

/** A one-layer qwen2 model with a 256-byte vocabulary and two merges, so config and tokenizer are read too. */
function modelFile(): Uint8Array {
  const tokens = [...Array.from({ length: 256 }, (_, b) => BYTE_TO_CHAR[b]!), "ab", "abc", "<|endoftext|>"];
  const meta: GgufMetadata = new Map([
    ["general.architecture", str("qwen2")],
    ["general.type", str("model")],
    ["qwen2.embedding_length", u32(8)],
    ["qwen2.attention.head_count", u32(2)],
    ["qwen2.attention.head_count_kv", u32(1)],
    ["qwen2.feed_forward_length", u32(16)],
    ["qwen2.block_count", u32(1)],
    ["qwen2.context_length", u32(64)],
    ["qwen2.attention.layer_norm_rms_epsilon", f32(1e-6)],
    ["tokenizer.ggml.model", str("gpt2")],
    ["tokenizer.ggml.pre", str("qwen2")],
    ["tokenizer.ggml.tokens", strings(tokens)],
    ["tokenizer.ggml.token_type", i32s(tokens.map((t) => (t === "<|endoftext|>" ? 3 : 1)))],
    ["tokenizer.ggml.merges", strings(["a b", "ab c"])],
    ["tokenizer.ggml.eos_token_id", u32(258)],
  ]);
  return encodeGguf(meta, [tensor("token_embd.weight", [tokens.length, 8], "F16"), tensor("output_norm.weight", [8], "F32")]);
}

/** Everything a base model's loading does with a GGUF file short of running it. */
function readAll(bytes: Uint8Array): void {
  const file = parseGguf(bytes, LABEL);
  for (const t of file.tensors) if (t.type !== null) readGgufTensor(bytes, file, t.name);
  if (file.metadata.has("tokenizer.ggml.model")) {
    ggufModelConfig(file, LABEL);
    tokenizerFromGguf(file, LABEL);
  }
}

const stats = newStats();
/** The reader's contract on one input: a result or a GgufFormatError naming the file. */
function check(bytes: Uint8Array): void {
  const err = checkReader([GgufFormatError], () => readAll(bytes), () => hexHead(bytes), stats);
  if (err) assert.ok(err.message.startsWith(`${LABEL}: `), `the message names the file: ${err.message}`);
}

describe("fuzzing the GGUF reader", () => {
  const small = smallFile();
  const model = modelFile();

  it("reads both valid files (the fuzzing starts from files that work)", () => {
    readAll(small);
    readAll(model);
    assert.equal(parseGguf(model).tensors.length, 2);
  });

  it("arbitrary bytes, with and without the magic number in front", () => {
    const magic = new Uint8Array([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0]);
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 256 }), fc.uint8Array({ maxLength: 256 }).map((b) => Uint8Array.from([...magic, ...b])));
    fc.assert(fc.property(bytes, (b) => check(b)), { seed: SEED, numRuns: 1500 });
  });

  it("valid files with random mutations", () => {
    fc.assert(fc.property(fc.oneof(mutatedBytes(small), mutatedBytes(model)), (b) => check(b)), { seed: SEED, numRuns: 1500 });
  });

  it("well-formed files whose model metadata and vocabulary are wrong", () => {
    const base = parseGguf(model);
    const keys = [...base.metadata.keys()];
    const tokens = (base.metadata.get("tokenizer.ggml.tokens")!.value as string[]).slice();
    const value = fc.oneof(
      fc.nat({ max: 0xffffffff }).map(u32),
      fc.constantFrom(u32(0), u32(0xffffffff), f32(NaN), f32(-1), str(""), str("llama"), str("qwen2"), str("gpt2"), str("clip")),
      fc.array(fc.string({ maxLength: 6 }), { maxLength: 8 }).map(strings),
      fc.array(fc.integer({ min: -3, max: 9 }), { maxLength: 300 }).map(i32s),
    );
    type Edit = (m: GgufMetadata) => void;
    // Named, so a counterexample says what was changed.
    const named = (text: string, apply: Edit): Edit => Object.assign(apply, { [fc.toStringMethod]: () => text });
    const edit = fc.oneof(
      fc.record({ key: fc.constantFrom(...keys), value }).map((e) => named(`set ${e.key} to ${fc.stringify(e.value)}`, (m) => void m.set(e.key, e.value))),
      fc.constantFrom(...keys).map((key) => named(`delete ${key}`, (m) => void m.delete(key))),
      // One token replaced: by another token's text (a duplicate), by nothing, or by noise.
      fc.record({ at: fc.nat({ max: tokens.length - 1 }), text: fc.oneof(fc.constantFrom(...tokens, "", " "), fc.string({ maxLength: 4 })) }).map((e) => named(`token ${e.at} := ${JSON.stringify(e.text)}`, (m) => {
        const t = tokens.slice();
        t[e.at] = e.text;
        m.set("tokenizer.ggml.tokens", strings(t));
      })),
      fc.array(fc.oneof(fc.constantFrom("a b", "ab c", "a  b", " a", "a ", "x y", "ab"), fc.string({ maxLength: 5 })), { maxLength: 4 }).map((merges) => named(`merges := ${JSON.stringify(merges)}`, (m) => void m.set("tokenizer.ggml.merges", strings(merges)))),
    );
    const tensors = base.tensors.map((t) => ({ name: t.name, shape: t.shape, type: t.type as "F32" | "F16", read: () => readGgufTensor(model, base, t.name) }));
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const meta = new Map(base.metadata);
        for (const e of edits) e(meta);
        check(encodeGguf(meta, tensors));
      }),
      { seed: SEED, numRuns: 600 },
    );
  });

  it("truncated at every length", () => {
    for (const cut of prefixes(small)) check(cut);
    for (const cut of prefixes(model)) check(cut);
  });

  it("a huge count, length, dimension or offset at every position of the header", () => {
    // Tensor count, metadata count, every string and array length, every dimension and
    // offset: each is a u64 somewhere in the header, and each is tried with each value.
    for (const value of hugeU64s(small.length)) {
      for (const { bytes } of u64AtEveryOffset(small.subarray(0, 600), value)) check(Uint8Array.from([...bytes, ...small.subarray(600)]));
    }
  });

  it("every tensor type code, on every tensor", () => {
    const file = parseGguf(small);
    const codes = [...Object.values(GGML_TYPE), 4, 5, 9, 10, 11, 15, 29, 31, 0xffffffff];
    for (const t of file.tensors) {
      // The type code sits after the name (u64 length + bytes), the dimension count and the dims.
      const at = findTensorTypeCode(small, t.name, t.shape.length);
      for (const code of codes) {
        const b = small.slice();
        new DataView(b.buffer).setUint32(at, code, true);
        check(b);
      }
    }
  });

  it("names the file and the field for the huge claims the issue lists", () => {
    const b = small.slice();
    new DataView(b.buffer).setBigUint64(8, 2n ** 40n, true);
    assert.throws(() => parseGguf(b, LABEL), /fuzz\.gguf: .*says 1099511627776, but only \d+ bytes follow.* tensor count/);
    const s = small.slice();
    new DataView(s.buffer).setBigUint64(24, 2n ** 40n, true); // the first key's length
    assert.throws(() => parseGguf(s, LABEL), /fuzz\.gguf: .*says 1099511627776.*metadata key 0 length/);
  });

  describe("a file on disk", () => {
    const dir = mkdtempSync(join(tmpdir(), "repotune-fuzz-gguf-"));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("reports a missing file, or one that is a folder, as a GgufFormatError naming it", () => {
      for (const path of [join(dir, "missing.gguf"), dir]) {
        assert.throws(() => readGguf(path), (err: unknown) => err instanceof GgufFormatError && err.message.startsWith(`${path}: `));
      }
    });

    it("reports a file cut short after its header was read as truncated, not as zeros", () => {
      const path = join(dir, "m.gguf");
      writeFileSync(path, small);
      const file = readGguf(path);
      writeFileSync(path, small.subarray(0, small.length - 100));
      assert.throws(() => readGgufTensor(path, file, "c.weight"), (err: unknown) => err instanceof GgufFormatError && /m\.gguf: .*ends/.test(err.message));
    });
  });

  after(() => {
    console.log(`gguf fuzz: ${stats.inputs} inputs, ${stats.returned} read, ${stats.threw} refused, slowest ${stats.slowestMs.toFixed(1)} ms`);
  });
});

function findTensorTypeCode(bytes: Uint8Array, name: string, dims: number): number {
  const needle = new TextEncoder().encode(name);
  const at = Buffer.from(bytes).indexOf(Buffer.from(needle));
  assert.ok(at > 0, `tensor ${name} in the header`);
  return at + needle.length + 4 + 8 * dims;
}
