// What every fuzz test of a reader checks, and the mutations it feeds the readers. The contract
// (issue 16): on any input a reader returns or throws its own typed error, never a RangeError,
// TypeError or SyntaxError from deep inside; it answers quickly; and it never allocates what a
// header merely claims (a length of 2^40 is checked against the file before anything is made).
import assert from "node:assert/strict";
import fc from "fast-check";

/** Fixed, so a failure found here is found again by whoever reruns it. */
export const SEED = 16_03;
/** Per input. Inputs are at most a few KB: a reader that takes this long is looping or allocating. */
export const TIME_LIMIT_MS = 200;
/** ArrayBuffer growth allowed per input, before any GC could hide it. */
const BUFFER_LIMIT_BYTES = 64 << 20;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorClass = abstract new (...args: any[]) => Error;

export interface Stats {
  inputs: number;
  returned: number;
  threw: number;
  slowestMs: number;
}

export const newStats = (): Stats => ({ inputs: 0, returned: 0, threw: 0, slowestMs: 0 });

function show(err: unknown): string {
  if (!(err instanceof Error)) return `a thrown ${typeof err}: ${String(err)}`;
  return `${err.name}: ${err.message.slice(0, 300)}\n${(err.stack ?? "").split("\n").slice(1, 6).join("\n")}`;
}

/**
 * Runs one reader call and checks the contract; returns the error it threw (one of `typed`), or
 * null when it returned. `describeInput` is called only on failure (inputs can be large).
 */
export function checkReader(typed: readonly ErrorClass[], run: () => unknown, describeInput: () => string, stats?: Stats): Error | null {
  const buffersBefore = process.memoryUsage().arrayBuffers;
  const started = performance.now();
  let thrown: unknown = null;
  let threw = false;
  try {
    run();
  } catch (err) {
    threw = true;
    thrown = err;
  }
  const ms = performance.now() - started;
  const grown = process.memoryUsage().arrayBuffers - buffersBefore;
  if (stats) {
    stats.inputs++;
    if (threw) stats.threw++;
    else stats.returned++;
    stats.slowestMs = Math.max(stats.slowestMs, ms);
  }
  if (threw && !typed.some((cls) => thrown instanceof cls)) {
    const allowed = typed.length ? `${typed.map((c) => c.name).join(" or ")} or a result` : "a result (this reader never throws)";
    assert.fail(`expected ${allowed}, got ${show(thrown)}\ninput: ${describeInput()}`);
  }
  // Messages are built only on failure: describing every input would cost more than reading it.
  if (ms >= TIME_LIMIT_MS) assert.fail(`took ${ms.toFixed(0)} ms (limit ${TIME_LIMIT_MS} ms) on ${describeInput()}`);
  if (grown >= BUFFER_LIMIT_BYTES) assert.fail(`allocated ${(grown / 2 ** 20).toFixed(0)} MB of buffers on ${describeInput()}`);
  return threw ? (thrown as Error) : null;
}

/** Hex of the first bytes, for failure messages. */
export function hexHead(bytes: Uint8Array, max = 96): string {
  const head = Buffer.from(bytes.subarray(0, max)).toString("hex");
  return `${bytes.length} bytes: ${head}${bytes.length > max ? "..." : ""}`;
}

// ---------------------------------------------------------------- byte mutations

/** Lengths and counts a corrupt header claims: 2^40, the top of u32/u64, and just past the end. */
export function hugeU64s(fileLength: number): bigint[] {
  return [2n ** 40n, 2n ** 32n, 2n ** 31n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n, BigInt(fileLength), BigInt(fileLength + 1)];
}

type Mutation =
  | { kind: "flip"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "u64"; at: number; value: bigint }
  | { kind: "u32"; at: number; value: number }
  | { kind: "delete"; at: number; length: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "duplicate"; at: number; length: number };

/** A copy in a fresh ArrayBuffer of its own: Buffer#slice shares memory, and a Buffer's .buffer is a pool. */
const copy = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes);

function applyMutation(bytes: Uint8Array, m: Mutation): Uint8Array {
  const n = bytes.length;
  const at = n === 0 ? 0 : m.at % (n + 1);
  switch (m.kind) {
    case "flip": {
      if (n === 0) return bytes;
      const out = copy(bytes);
      out[m.at % n] = m.value;
      return out;
    }
    case "truncate":
      return copy(bytes.subarray(0, at));
    case "u64":
    case "u32": {
      const width = m.kind === "u64" ? 8 : 4;
      if (n < width) return bytes;
      const out = copy(bytes);
      const view = new DataView(out.buffer);
      const pos = m.at % (n - width + 1);
      if (m.kind === "u64") view.setBigUint64(pos, m.value, true);
      else view.setUint32(pos, m.value, true);
      return out;
    }
    case "delete":
      return concat(bytes.subarray(0, at), bytes.subarray(Math.min(n, at + m.length)));
    case "insert":
      return concat(bytes.subarray(0, at), m.bytes, bytes.subarray(at));
    case "duplicate":
      return concat(bytes.subarray(0, at), bytes.subarray(at, at + m.length), bytes.subarray(at));
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/**
 * A valid file with one to four mutations: byte flips, truncation, a u64 or u32 field anywhere
 * overwritten with a huge or just-too-big value, bytes deleted, inserted or duplicated.
 */
export function mutatedBytes(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const at = fc.nat({ max: valid.length + 8 });
  const u64 = fc.oneof(fc.constantFrom(...hugeU64s(valid.length)), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
  const u32 = fc.oneof(fc.constantFrom(0xffffffff, 0x80000000, valid.length, valid.length + 1, 0), fc.nat({ max: 0xffffffff }));
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("flip" as const), at, value: fc.nat({ max: 255 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("u64" as const), at, value: u64 }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("u32" as const), at, value: u32 }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), at, length: fc.integer({ min: 1, max: 64 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("insert" as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("duplicate" as const), at, length: fc.integer({ min: 1, max: 64 }) }) },
  );
  const original = copy(valid);
  return fc.array(mutation, { minLength: 1, maxLength: 4 }).map((ms) => ms.reduce(applyMutation, original));
}

/** Every prefix of `bytes`, shortest first: truncation at every length, not a sample of them. */
export function* prefixes(bytes: Uint8Array): Generator<Uint8Array> {
  for (let n = 0; n < bytes.length; n++) yield bytes.subarray(0, n);
}

/** `bytes` with `value` written as a little-endian u64 at every offset in turn. */
export function* u64AtEveryOffset(bytes: Uint8Array, value: bigint): Generator<{ at: number; bytes: Uint8Array }> {
  for (let at = 0; at + 8 <= bytes.length; at++) {
    const out = copy(bytes);
    new DataView(out.buffer).setBigUint64(at, value, true);
    yield { at, bytes: out };
  }
}

/** JSON text nested `depth` deep, which JSON.parse reads but any recursive walker overflows on. */
export function deepJson(depth: number, open = "[", close = "]", leaf = "0"): string {
  return open.repeat(depth) + leaf + close.repeat(depth);
}
