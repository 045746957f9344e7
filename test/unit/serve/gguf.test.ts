// The GGUF writer and reader on their own: byte layout, strict metadata types, round trips,
// and clear errors on corrupt files.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  bool, encodeGguf, f32, GgufFormatError, i32s, parseGguf, qwen2GgufName, readGguf, readGgufTensor, str, strings, u32, writeGgufFile,
  type GgufMetadata, type GgufTensorSource,
} from "../../../src/core/formats/gguf";

const meta = (): GgufMetadata =>
  new Map([
    ["general.architecture", str("qwen2")],
    ["qwen2.block_count", u32(2)],
    ["qwen2.rope.freq_base", f32(1e6)],
    ["tokenizer.ggml.add_bos_token", bool(false)],
    ["tokenizer.ggml.tokens", strings(["a", "ü", "<|endoftext|>"])],
    ["tokenizer.ggml.token_type", i32s([1, 1, 3])],
    ["big", { type: "u64", value: 2n ** 40n }],
  ]);

const tensor = (name: string, shape: number[], type: "F32" | "F16" = "F32"): GgufTensorSource => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, shape, type, read: () => Float32Array.from({ length: n }, (_, i) => i * 0.25 - 1) };
};

describe("GGUF writer and reader", () => {
  it("writes the v3 header, typed metadata and reversed dims that the reader gets back", () => {
    const bytes = encodeGguf(meta(), [tensor("a.weight", [3, 5]), tensor("b.bias", [7]), tensor("c.weight", [2, 3], "F16")]);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), "GGUF");
    assert.equal(view.getUint32(4, true), 3);
    assert.equal(view.getBigUint64(8, true), 3n);
    assert.equal(view.getBigUint64(16, true), 7n);
    const file = parseGguf(bytes);
    assert.deepEqual([...file.metadata.keys()], [...meta().keys()]);
    assert.deepEqual(file.metadata.get("qwen2.block_count"), { type: "u32", value: 2 });
    assert.deepEqual(file.metadata.get("qwen2.rope.freq_base"), { type: "f32", value: 1e6 });
    assert.deepEqual(file.metadata.get("tokenizer.ggml.add_bos_token"), { type: "bool", value: false });
    assert.deepEqual(file.metadata.get("tokenizer.ggml.tokens"), strings(["a", "ü", "<|endoftext|>"]));
    assert.deepEqual(file.metadata.get("big"), { type: "u64", value: 2n ** 40n });
    assert.equal(file.alignment, 32);
    assert.equal(file.dataOffset % 32, 0);
    const [a, b, c] = file.tensors;
    assert.deepEqual(a, { name: "a.weight", shape: [3, 5], typeCode: 0, type: "F32", offset: 0, byteLength: 60 });
    assert.equal(b!.offset, 64, "offsets are padded to 32 bytes");
    assert.equal(c!.offset, 96);
    assert.equal(c!.type, "F16");
    // The first dimension stored is the innermost (ne[0] = columns).
    const firstDim = bytes.indexOf(0x61 /* a */, 24);
    assert.ok(firstDim > 0);
    assert.deepEqual([...readGgufTensor(bytes, file, "a.weight")], Array.from({ length: 15 }, (_, i) => i * 0.25 - 1));
    assert.deepEqual([...readGgufTensor(bytes, file, "c.weight")], Array.from({ length: 6 }, (_, i) => i * 0.25 - 1), "exact in f16");
  });

  it("stores dims innermost first", () => {
    const bytes = encodeGguf(new Map(), [tensor("t", [3, 5])]);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    // header 24 bytes, name: u64 len + "t", n_dims u32, then dims
    assert.equal(view.getUint32(24 + 8 + 1, true), 2);
    assert.equal(view.getBigUint64(24 + 8 + 1 + 4, true), 5n);
    assert.equal(view.getBigUint64(24 + 8 + 1 + 12, true), 3n);
  });

  it("refuses values that do not fit their declared type", () => {
    assert.throws(() => encodeGguf(new Map([["x", u32(-1)]]), []), /does not fit u32/);
    assert.throws(() => encodeGguf(new Map([["x", u32(1.5)]]), []), /does not fit u32/);
    assert.throws(() => encodeGguf(new Map(), [tensor("t", [2]), tensor("t", [2])]), /twice/);
    assert.throws(() => encodeGguf(new Map(), [{ ...tensor("t", [2]), read: () => new Float32Array(3) }]), /3 values/);
  });

  it("writes files atomically and reads them back", () => {
    const dir = mkdtempSync(join(tmpdir(), "gguf-unit-"));
    try {
      const path = join(dir, "m.gguf");
      const { bytes } = writeGgufFile(path, meta(), [tensor("a", [4, 8]), tensor("b", [8], "F16")]);
      assert.equal(readFileSync(path).length, bytes);
      const file = readGguf(path);
      assert.deepEqual(file.tensors.map((t) => t.name), ["a", "b"]);
      assert.equal(readGgufTensor(path, file, "a")[31], 31 * 0.25 - 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("corrupt files give an error that says what and where", () => {
    const good = encodeGguf(meta(), [tensor("a.weight", [3, 5])]);
    const expectError = (bytes: Uint8Array, pattern: RegExp): void => {
      assert.throws(() => parseGguf(bytes, "m.gguf"), (err: unknown) => err instanceof GgufFormatError && pattern.test(err.message) && err.message.startsWith("m.gguf"));
    };
    it("not GGUF", () => expectError(new TextEncoder().encode("PK\u0003\u0004 and more bytes"), /not a GGUF file/));
    it("empty", () => expectError(new Uint8Array(0), /file ends.*magic/));
    it("wrong version", () => {
      const b = good.slice();
      new DataView(b.buffer).setUint32(4, 9, true);
      expectError(b, /version 9 is not supported/);
    });
    it("truncated in the metadata", () => expectError(good.subarray(0, 60), /(file ends|truncated).* at byte \d+ while reading/));
    it("truncated in the tensor data", () => expectError(good.subarray(0, good.length - 8), /truncated: tensor a.weight needs bytes/));
    it("garbage length", () => {
      const b = good.slice();
      new DataView(b.buffer).setBigUint64(24, 2n ** 60n, true); // length of the first key
      expectError(b, /says 1152921504606846976, but only \d+ bytes follow .* metadata key 0 length/);
    });
    it("unknown value type", () => {
      const b = good.slice();
      const keyLen = Number(new DataView(b.buffer).getBigUint64(24, true));
      new DataView(b.buffer).setUint32(32 + keyLen, 99, true);
      expectError(b, /unknown value type 99/);
    });
    it("real files too", () => {
      const dir = mkdtempSync(join(tmpdir(), "gguf-unit-"));
      try {
        const path = join(dir, "cut.gguf");
        writeFileSync(path, good.subarray(0, 30));
        assert.throws(() => readGguf(path), (err: Error) => err.message.startsWith(`${path}: `) && /truncated or corrupt\) at byte 8 while reading the tensor count/.test(err.message));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it("maps Hugging Face Qwen2 names to llama.cpp's", () => {
    assert.deepEqual(qwen2GgufName("model.embed_tokens.weight"), { gguf: "token_embd.weight" });
    assert.deepEqual(qwen2GgufName("model.layers.11.self_attn.q_proj.bias"), { gguf: "blk.11.attn_q.bias" });
    assert.deepEqual(qwen2GgufName("model.layers.0.self_attn.o_proj.weight"), { gguf: "blk.0.attn_output.weight" });
    assert.deepEqual(qwen2GgufName("model.layers.3.post_attention_layernorm.weight"), { gguf: "blk.3.ffn_norm.weight" });
    assert.deepEqual(qwen2GgufName("model.layers.3.mlp.down_proj.weight"), { gguf: "blk.3.ffn_down.weight" });
    assert.deepEqual(qwen2GgufName("model.norm.weight"), { gguf: "output_norm.weight" });
    assert.deepEqual(qwen2GgufName("lm_head.weight"), { gguf: "output.weight" });
    assert.ok("skip" in qwen2GgufName("model.layers.0.self_attn.rotary_emb.inv_freq"));
    assert.ok("unknown" in qwen2GgufName("model.layers.0.lora_A.weight"));
  });
});
