// Fuzzing the safetensors reader (model weights, optimizer state, LoRA adapters): whatever the
// file holds, SafetensorsFile.open and every tensor read either work or throw a SafetensorsError
// that names the file, quickly, and a header length or data offset the file cannot hold is
// refused before anything of that size is allocated.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { SafetensorsError, SafetensorsFile, serializeSafetensors, type TensorToWrite } from "../../../src/core/formats/safetensors";
import { checkReader, deepJson, hexHead, hugeU64s, mutatedBytes, newStats, prefixes, SEED, u64AtEveryOffset } from "./harness";

const dir = mkdtempSync(join(tmpdir(), "repotune-fuzz-st-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, "fuzz.safetensors");

function validFile(): Uint8Array {
  return serializeSafetensors(
    new Map<string, TensorToWrite>([
      ["w", { dtype: "F32", shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }],
      ["h", { dtype: "F16", shape: [4], data: [0.5, -1, 2, 3] }],
      ["b", { dtype: "BF16", shape: [2, 1], data: [1, -2] }],
      ["i", { dtype: "I32", shape: [3], data: [-7, 0, 9] }],
      ["step", { dtype: "I64", shape: [], data: [12] }],
    ]),
    { format: "pt", note: "héllo" },
  );
}

/** A file from a header (any JSON text) and data bytes, with the header length the format puts first. */
function withHeader(json: string | Uint8Array, data: Uint8Array, claimedLength?: bigint): Uint8Array {
  const header = typeof json === "string" ? Buffer.from(json, "utf8") : json;
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(claimedLength ?? BigInt(header.length));
  return Buffer.concat([len, header, data]);
}

/** Everything loading a checkpoint does with the file: open, then every tensor both ways. */
function readAll(): void {
  const f = SafetensorsFile.open(path);
  try {
    for (const name of f.tensors.keys()) {
      f.readFloat32(name);
      f.readNumbers(name);
    }
  } finally {
    f.close();
  }
}

const stats = newStats();
function check(bytes: Uint8Array): void {
  writeFileSync(path, bytes);
  const err = checkReader([SafetensorsError], readAll, () => hexHead(bytes, 200), stats);
  if (err) {
    assert.ok(err.message.startsWith(`${path}: `), `the message names the file: ${err.message}`);
    assert.ok(err.message.length < 2000, `a message of ${err.message.length} characters`);
  }
}

describe("fuzzing the safetensors reader", () => {
  const valid = validFile();
  const headerLength = Number(Buffer.from(valid).readBigUInt64LE(0));
  const header = JSON.parse(Buffer.from(valid.subarray(8, 8 + headerLength)).toString("utf8")) as Record<string, Record<string, unknown>>;
  const data = valid.subarray(8 + headerLength);

  it("reads the valid file (the fuzzing starts from a file that works)", () => {
    writeFileSync(path, valid);
    readAll();
  });

  it("arbitrary bytes, and arbitrary bytes behind a header length that fits", () => {
    const framed = fc.uint8Array({ maxLength: 200 }).chain((body) => fc.nat({ max: body.length }).map((n) => withHeader("", body, BigInt(n))));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), framed), (b) => check(b)), { seed: SEED, numRuns: 800 });
  });

  it("the valid file with random mutations", () => {
    fc.assert(fc.property(mutatedBytes(valid), (b) => check(b)), { seed: SEED, numRuns: 1200 });
  });

  it("truncated at every length", () => {
    for (const cut of prefixes(valid)) check(cut);
  });

  it("a huge header length, and huge values at every position", () => {
    for (const value of hugeU64s(valid.length)) for (const { bytes } of u64AtEveryOffset(valid, value)) if (bytes.length) check(bytes);
    // The case in so many words: a header that claims 2^40 bytes.
    writeFileSync(path, withHeader("{}", new Uint8Array(0), 2n ** 40n));
    assert.throws(() => SafetensorsFile.open(path), (err: unknown) => err instanceof SafetensorsError && /header length 1099511627776 is over/.test(err.message));
  });

  it("headers of the wrong shape: odd dtypes, shapes, offsets, metadata, deep nesting, huge strings", () => {
    const names = Object.keys(header).filter((k) => k !== "__metadata__");
    // Stand-ins, swapped in the header text for 20,000 nested arrays and 100,000 x's: fast-check could not print those.
    const DEEP = "<deep>";
    const LONG = "<long>";
    const weird = fc.oneof(
      fc.constantFrom<unknown>(null, true, 0, -1, 1.5, 2 ** 40, 2 ** 53, 1e308, "", "F32", "F64", "U64", "BOOL", "F8_E4M3", LONG, [], {}, [0], [0, 0], [-1, 4], [0, 2 ** 40], [2 ** 40, 2 ** 40 + 4], [2 ** 53, 2 ** 53], [4, 0], DEEP),
      fc.array(fc.oneof(fc.nat({ max: 8 }), fc.constantFrom(2 ** 20, 2 ** 40, 2 ** 52, -1, 0.5)), { maxLength: 4 }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    const edit = fc.oneof(
      fc.record({ name: fc.constantFrom(...names), field: fc.constantFrom("dtype", "shape", "data_offsets", "extra"), value: weird }),
      fc.record({ name: fc.constantFrom("__metadata__", "new", "__proto__", "constructor", ...names), field: fc.constant(null), value: weird }),
    );
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), fc.boolean(), (edits, trimData) => {
        const h = structuredClone(header) as Record<string, unknown>;
        for (const e of edits) {
          if (e.field === null) h[e.name] = e.value;
          else h[e.name] = { ...(h[e.name] as object), [e.field]: e.value };
        }
        check(withHeader(JSON.stringify(h).replaceAll(JSON.stringify(DEEP), deepJson(20_000)).replaceAll(JSON.stringify(LONG), JSON.stringify("x".repeat(100_000))), trimData ? data.subarray(0, data.length - 4) : data));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("a header that is not UTF-8, not an object, or nested beyond any stack", () => {
    for (const json of [deepJson(100_000), deepJson(100_000, '{"a":', "}"), `{"w":${deepJson(50_000)}}`, `{"w":{"dtype":${deepJson(50_000)}}}`, '"just a string"', "[1,2]", "null", "{}"]) {
      check(withHeader(json, new Uint8Array(0)));
    }
    // Invalid UTF-8 in a metadata value, and in a key.
    const bad = Buffer.from('{"__metadata__":{"a":"xx"}}');
    bad[22] = 0xff;
    check(withHeader(bad, new Uint8Array(0)));
    check(withHeader(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), new Uint8Array(0)));
    assert.throws(() => SafetensorsFile.open(path), /fuzz\.safetensors: header is not valid UTF-8/);
    writeFileSync(path, withHeader(`{"w":{"dtype":${deepJson(50_000)}}}`, new Uint8Array(0)));
    assert.throws(() => SafetensorsFile.open(path), /tensor "w": unknown dtype \[\[\[\[…\]\]\]\]/);
  });

  after(() => {
    console.log(`safetensors fuzz: ${stats.inputs} inputs, ${stats.returned} read, ${stats.threw} refused, slowest ${stats.slowestMs.toFixed(1)} ms`);
  });
});
