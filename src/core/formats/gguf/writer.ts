// GGUF v3 writer. The header (metadata, tensor infos) is built in memory; tensor data is
// streamed one tensor at a time so a model larger than memory's comfort can be exported.
// Conventions llama.cpp relies on (shared/notes/engine-facts.md): dimensions are written
// innermost first (the reverse of PyTorch's [out, in]); each tensor's offset is the running
// sum of sizes padded to the alignment; the data section starts aligned.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { ByteWriter } from "./byte-writer";
import { encodeF16 } from "../float16";
import { blockMisfit, ggmlByteLength, quantizeQ8_0 } from "./quants";
import {
  GGML_TYPE,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VALUE_TYPE,
  GGUF_VERSION,
  GgufFormatError,
  type GgufMetadata,
  type GgufScalarType,
  type GgufValue,
} from "./types";

/**
 * The element types we write: llama.cpp's converter keeps 1-D tensors (norms, biases) in F32;
 * Q8_0 is what llama.vscode serves its bases in.
 */
export type GgufWriteType = "F32" | "F16" | "Q8_0";

export interface GgufTensorSource {
  name: string;
  /** Row-major shape, outermost first (HF's [out, in]). */
  shape: number[];
  type: GgufWriteType;
  /** Called once, when the tensor's turn comes to be written. */
  read(): Float32Array;
}

export interface GgufLayout {
  header: Uint8Array;
  /** Offset of each tensor's data relative to the data section, in input order. */
  offsets: number[];
  alignment: number;
  dataBytes: number;
}

const elementCount = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

function alignmentOf(metadata: GgufMetadata): number {
  const v = metadata.get("general.alignment");
  if (v === undefined) return GGUF_DEFAULT_ALIGNMENT;
  if (v.type !== "u32" || v.value <= 0 || v.value % 8 !== 0) {
    throw new GgufFormatError("general.alignment must be a u32 multiple of 8");
  }
  return v.value;
}

function writeScalar(w: ByteWriter, type: GgufScalarType, value: unknown): void {
  switch (type) {
    case "u8": return w.u8(value as number);
    case "i8": return w.i8(value as number);
    case "u16": return w.u16(value as number);
    case "i16": return w.i16(value as number);
    case "u32": return w.u32(value as number);
    case "i32": return w.i32(value as number);
    case "f32": return w.f32(value as number);
    case "f64": return w.f64(value as number);
    case "u64": return w.u64(value as bigint);
    case "i64": return w.i64(value as bigint);
    case "bool": return w.u8(value ? 1 : 0);
    case "string": return w.string(value as string);
  }
}

function checkInteger(key: string, type: GgufScalarType, value: unknown): void {
  const ranges: Partial<Record<GgufScalarType, [number, number]>> = {
    u8: [0, 0xff], i8: [-0x80, 0x7f], u16: [0, 0xffff], i16: [-0x8000, 0x7fff],
    u32: [0, 0xffffffff], i32: [-0x80000000, 0x7fffffff],
  };
  const range = ranges[type];
  if (range && !(Number.isInteger(value) && (value as number) >= range[0] && (value as number) <= range[1])) {
    throw new GgufFormatError(`metadata ${key}: ${String(value)} does not fit ${type}`);
  }
}

function writeValue(w: ByteWriter, key: string, v: GgufValue): void {
  w.u32(GGUF_VALUE_TYPE[v.type]);
  if (v.type !== "array") {
    checkInteger(key, v.type, v.value);
    writeScalar(w, v.type, v.value);
    return;
  }
  w.u32(GGUF_VALUE_TYPE[v.itemType]);
  w.u64(v.value.length);
  for (const item of v.value) {
    checkInteger(key, v.itemType, item);
    writeScalar(w, v.itemType, item);
  }
}

/** Builds the header and computes where each tensor's data goes. */
export function layoutGguf(metadata: GgufMetadata, tensors: ReadonlyArray<Omit<GgufTensorSource, "read">>): GgufLayout {
  const alignment = alignmentOf(metadata);
  const names = new Set<string>();
  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(GGUF_VERSION);
  w.u64(tensors.length);
  w.u64(metadata.size);
  for (const [key, value] of metadata) {
    w.string(key);
    writeValue(w, key, value);
  }
  const offsets: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (names.has(t.name)) throw new GgufFormatError(`tensor ${t.name} appears twice`);
    names.add(t.name);
    if (t.shape.length < 1 || t.shape.length > 4 || !t.shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new GgufFormatError(`tensor ${t.name}: shape [${t.shape.join(", ")}] must have 1 to 4 positive dimensions`);
    }
    const misfit = blockMisfit(t.type, t.shape[t.shape.length - 1]!);
    if (misfit) throw new GgufFormatError(`tensor ${t.name} cannot be written as ${t.type}: ${misfit}`);
    w.string(t.name);
    w.u32(t.shape.length);
    for (const d of [...t.shape].reverse()) w.u64(d);
    w.u32(GGML_TYPE[t.type]);
    w.u64(offset);
    offsets.push(offset);
    const bytes = ggmlByteLength(t.type, elementCount(t.shape));
    offset += Math.ceil(bytes / alignment) * alignment;
  }
  w.padTo(alignment);
  return { header: w.finish(), offsets, alignment, dataBytes: offset };
}

function tensorBytes(t: GgufTensorSource): Uint8Array {
  const data = t.read();
  const expected = elementCount(t.shape);
  if (data.length !== expected) {
    throw new GgufFormatError(`tensor ${t.name}: ${data.length} values for shape [${t.shape.join(", ")}] (${expected} expected)`);
  }
  if (t.type === "Q8_0") return quantizeQ8_0(data);
  const typed = t.type === "F16" ? encodeF16(data) : data;
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

/** The whole file in memory: for tests and small models. */
export function encodeGguf(metadata: GgufMetadata, tensors: GgufTensorSource[]): Uint8Array {
  const layout = layoutGguf(metadata, tensors);
  const out = new Uint8Array(layout.header.length + layout.dataBytes);
  out.set(layout.header, 0);
  tensors.forEach((t, i) => out.set(tensorBytes(t), layout.header.length + layout.offsets[i]!));
  return out;
}

/**
 * Writes the file atomically: a temporary file next to it, fsynced, then renamed, so a
 * crash mid-export never leaves a truncated model where the completion server looks.
 */
export function writeGgufFile(path: string, metadata: GgufMetadata, tensors: GgufTensorSource[]): { bytes: number } {
  const layout = layoutGguf(metadata, tensors);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w", 0o600); // readable by the user alone (core/fs/private-files.ts)
  try {
    let pos = 0;
    const put = (b: Uint8Array): void => {
      let done = 0;
      while (done < b.length) done += writeSync(fd, b, done, b.length - done, pos + done);
      pos += b.length;
    };
    put(layout.header);
    const zeros = new Uint8Array(layout.alignment);
    tensors.forEach((t) => {
      const bytes = tensorBytes(t);
      put(bytes);
      const pad = (layout.alignment - (bytes.length % layout.alignment)) % layout.alignment;
      if (pad) put(zeros.subarray(0, pad));
    });
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
    return { bytes: pos };
  } catch (err) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(tmp, { force: true });
    throw err;
  }
}
