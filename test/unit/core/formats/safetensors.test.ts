import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from "../../../../src/core/formats/float16";
import {
  readSafetensors,
  SafetensorsError,
  SafetensorsFile,
  serializeSafetensors,
  writeSafetensors,
  type TensorToWrite,
} from "../../../../src/core/formats/safetensors";

const dir = fs.mkdtempSync(join(tmpdir(), "repotune-st-"));
let counter = 0;
function file(bytes: Uint8Array | string): string {
  const path = join(dir, `f${counter++}.safetensors`);
  fs.writeFileSync(path, bytes);
  return path;
}

/** A file built by hand from the format's description, independently of our writer. */
function handMade(header: object | string, data: Uint8Array, headerLength?: number): Buffer {
  const json = Buffer.from(typeof header === "string" ? header : JSON.stringify(header), "utf8");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerLength ?? json.length));
  return Buffer.concat([len, json, data]);
}

function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

function expectError(path: string, pattern: RegExp): void {
  assert.throws(
    () => readSafetensors(path),
    (err: unknown) => {
      assert.ok(err instanceof SafetensorsError, `expected a SafetensorsError, got ${String(err)}`);
      assert.equal(err.file, path);
      assert.ok(err.message.startsWith(path + ": "), err.message);
      assert.match(err.problem, pattern);
      return true;
    },
  );
}

describe("float16 / bfloat16 conversions", () => {
  it("round to nearest even at the known edge cases", () => {
    const cases: [number, number][] = [
      [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65520, 0x7c00], [1e6, 0x7c00],
      [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [2 ** -24, 0x0001], [2 ** -25, 0x0000],
      [1.5 * 2 ** -25, 0x0001], [2 ** -14, 0x0400], [2 ** -14 - 2 ** -25, 0x0400], [-0, 0x8000], [Infinity, 0x7c00],
    ];
    for (const [x, bits] of cases) assert.equal(f32ToF16Bits(x), bits, `f16(${x})`);
    assert.ok(Number.isNaN(f16BitsToF32(f32ToF16Bits(NaN))));
    const bfCases: [number, number][] = [[1, 0x3f80], [1 + 2 ** -8, 0x3f80], [1 + 3 * 2 ** -8, 0x3f82], [Math.PI, 0x4049], [-0, 0x8000]];
    for (const [x, bits] of bfCases) assert.equal(f32ToBf16Bits(x), bits, `bf16(${x})`);
    assert.ok(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(NaN))));
  });

  it("decode then encode is the identity on every non-NaN 16-bit pattern", () => {
    for (let h = 0; h < 65536; h++) {
      const x = f16BitsToF32(h);
      if (!Number.isNaN(x)) assert.equal(f32ToF16Bits(x), h, `f16 0x${h.toString(16)}`);
      const y = bf16BitsToF32(h);
      if (!Number.isNaN(y)) assert.equal(f32ToBf16Bits(y), h, `bf16 0x${h.toString(16)}`);
    }
  });
});

describe("safetensors writer", () => {
  it("lays out the file as Hugging Face's crate does", () => {
    const tensors: [string, TensorToWrite][] = [
      ["b.small", { dtype: "F16", shape: [1], data: [1] }],
      ["z", { dtype: "F32", shape: [2], data: [1, 2] }],
      ["a", { dtype: "F32", shape: [], data: [3] }],
    ];
    const bytes = Buffer.from(serializeSafetensors(tensors));
    // F32 before F16 (larger dtypes first), then by name; offsets contiguous from 0.
    const expectedJson =
      '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},' +
      '"z":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},"b.small":{"dtype":"F16","shape":[1],"data_offsets":[12,14]}}';
    const n = Number(bytes.readBigUInt64LE(0));
    assert.equal(n % 8, 0);
    assert.equal(bytes.subarray(8, 8 + n).toString("utf8"), expectedJson + " ".repeat(n - expectedJson.length));
    assert.ok(n - expectedJson.length < 8);
    assert.deepEqual([...bytes.subarray(8 + n)], [...f32Bytes([3, 1, 2]), 0x00, 0x3c]);
  });

  it("round-trips F32, F16, BF16, I32 and I64 with metadata", () => {
    const path = join(dir, "rt.safetensors");
    const f32 = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3));
    writeSafetensors(
      path,
      new Map<string, TensorToWrite>([
        ["w", { dtype: "F32", shape: [2, 3, 4], data: f32 }],
        ["h", { dtype: "F16", shape: [4], data: [0.5, -1.25, 65504, 2 ** -24] }],
        ["b", { dtype: "BF16", shape: [2, 2], data: () => [1, -2, 0.15625, 3e38] }],
        ["i", { dtype: "I32", shape: [3], data: [-7, 0, 2 ** 31 - 1] }],
        ["step", { dtype: "I64", shape: [], data: [2 ** 40 + 3] }],
      ]),
      { format: "pt", note: "héllo" },
    );
    const f = SafetensorsFile.open(path);
    try {
      assert.deepEqual(f.metadata, { format: "pt", note: "héllo" });
      assert.deepEqual([...f.tensors.keys()].sort(), ["b", "h", "i", "step", "w"]);
      const w = f.readFloat32("w");
      assert.deepEqual(w.shape, [2, 3, 4]);
      assert.deepEqual([...w.data], [...f32]);
      assert.deepEqual([...f.readFloat32("h").data], [0.5, -1.25, 65504, 2 ** -24]);
      assert.deepEqual([...f.readFloat32("b").data], [1, -2, 0.15625, bf16BitsToF32(f32ToBf16Bits(3e38))]);
      assert.deepEqual(f.readNumbers("i"), [-7, 0, 2 ** 31 - 1]);
      assert.deepEqual(f.readNumbers("step"), [2 ** 40 + 3]);
      assert.equal(f.info("b").dtype, "BF16");
      assert.throws(() => f.readFloat32("nope"), /no tensor named "nope"/);
    } finally {
      f.close();
    }
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.includes(".tmp-")), []);
  });

  it("refuses data whose length does not match the shape, leaving no file", () => {
    const path = join(dir, "bad-write.safetensors");
    assert.throws(() => writeSafetensors(path, [["x", { dtype: "F32", shape: [2, 2], data: [1, 2, 3] }]]), /shape \[2, 2\] has 4 elements but 3 values/);
    assert.equal(fs.existsSync(path), false);
  });
});

describe("safetensors reader", () => {
  it("reads a file made by hand from the specification, with F16 and BF16 widened to float32", () => {
    const data = Buffer.concat([f32Bytes([1.5, -2]), Buffer.from([0x00, 0x3c, 0x00, 0xc0]), Buffer.from([0x80, 0x3f])]);
    const path = file(
      handMade(
        {
          __metadata__: { format: "pt" },
          half: { dtype: "F16", shape: [2], data_offsets: [8, 12] },
          w: { dtype: "F32", shape: [1, 2], data_offsets: [0, 8] },
          bf: { dtype: "BF16", shape: [], data_offsets: [12, 14] },
        },
        data,
      ),
    );
    const { metadata, tensors } = readSafetensors(path);
    assert.deepEqual(metadata, { format: "pt" });
    assert.deepEqual(tensors.get("w"), { shape: [1, 2], data: new Float32Array([1.5, -2]) });
    assert.deepEqual(tensors.get("half"), { shape: [2], data: new Float32Array([1, -2]) });
    assert.deepEqual(tensors.get("bf"), { shape: [], data: new Float32Array([1]) });
  });

  it("reports a file too short for the header length", () => {
    expectError(file(Buffer.from([1, 2, 3])), /truncated: 3 bytes/);
  });

  it("reports a header length beyond the end of the file", () => {
    expectError(file(handMade({}, new Uint8Array(0), 500)), /header length 500 goes beyond the end of the file \(10 bytes\)/);
    expectError(file(handMade("{}", new Uint8Array(0), 2 ** 40)), /over the 100000000-byte limit/);
  });

  it("reports a header that is not JSON, or not a safetensors header", () => {
    expectError(file(handMade('{"a": [1,', new Uint8Array(0))), /header is not valid JSON/);
    expectError(file(handMade("[1, 2]", new Uint8Array(0))), /does not start with '\{'/);
    expectError(file(handMade({ __metadata__: { n: 1 } }, new Uint8Array(0))), /__metadata__\.n is not a string/);
  });

  it("reports an unknown dtype", () => {
    expectError(file(handMade({ x: { dtype: "F12", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4))), /tensor "x": unknown dtype "F12"/);
  });

  it("reports a shape that does not match the byte size", () => {
    expectError(
      file(handMade({ x: { dtype: "F32", shape: [2, 3], data_offsets: [0, 20] } }, new Uint8Array(20))),
      /tensor "x": shape \[2, 3\] of F32 needs 24 bytes but data_offsets \[0, 20\] hold 20/,
    );
    expectError(file(handMade({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4))), /shape \[-1\] is not a list of non-negative integers/);
    expectError(file(handMade({ x: { dtype: "F32", shape: [1], data_offsets: [4, 0] } }, new Uint8Array(4))), /data_offsets \[4,0\] is not a pair/);
  });

  it("reports offsets out of range (a truncated file)", () => {
    const good = Buffer.from(serializeSafetensors([["a", { dtype: "F32", shape: [4], data: [1, 2, 3, 4] }], ["b", { dtype: "F32", shape: [2], data: [5, 6] }]]));
    expectError(file(good.subarray(0, good.length - 3)), /tensor "b": data_offsets \[16, 24\] go past the end of the data \(21 bytes\): the file is truncated/);
    // Cut inside the header: the header length now points past the end.
    expectError(file(good.subarray(0, 20)), /header length \d+ goes beyond the end of the file \(20 bytes\)/);
  });

  it("reports overlapping tensors, gaps and trailing bytes", () => {
    expectError(
      file(handMade({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12))),
      /tensor "b" \(bytes 4-12\) overlaps tensor "a"/,
    );
    expectError(
      file(handMade({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, b: { dtype: "F32", shape: [1], data_offsets: [8, 12] } }, new Uint8Array(12))),
      /gap in the data: bytes 4-8 belong to no tensor/,
    );
    expectError(file(handMade({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(9))), /5 bytes after the last tensor/);
  });

  it("reports a missing file by name", () => {
    expectError(join(dir, "does-not-exist.safetensors"), /cannot open \(ENOENT\)/);
  });
});
