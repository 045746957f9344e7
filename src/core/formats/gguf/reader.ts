// GGUF v2/v3 reader: header, typed metadata and tensor infos, validated so that a truncated
// or corrupt file is reported with the file name, what was being read and the byte offset,
// instead of crashing the native loader later. Tensor data is read on demand.
import { decodeBf16, decodeF16 } from "../float16";
import { ByteReader, fileSource, memorySource, type ByteSource } from "./byte-reader";
import { blockMisfit, dequantize, ggmlByteLength } from "./quants";
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VALUE_TYPE,
  GgufFormatError,
  ggmlTypeName,
  type GgufMetadata,
  type GgufScalarType,
  type GgufTensorInfo,
  type GgufValue,
} from "./types";

export interface GgufFile {
  version: number;
  metadata: GgufMetadata;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute byte offset of the data section. */
  dataOffset: number;
  fileSize: number;
}

const TYPE_BY_CODE = new Map<number, keyof typeof GGUF_VALUE_TYPE>(
  Object.entries(GGUF_VALUE_TYPE).map(([name, code]) => [code, name as keyof typeof GGUF_VALUE_TYPE]),
);
const MIN_SIZE: Record<keyof typeof GGUF_VALUE_TYPE, number> = {
  u8: 1, i8: 1, bool: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, u64: 8, i64: 8, f64: 8, string: 8, array: 12,
};

function readScalar(r: ByteReader, type: GgufScalarType, what: string): number | bigint | boolean | string {
  switch (type) {
    case "u8": return r.u8(what);
    case "i8": return r.i8(what);
    case "u16": return r.u16(what);
    case "i16": return r.i16(what);
    case "u32": return r.u32(what);
    case "i32": return r.i32(what);
    case "f32": return r.f32(what);
    case "f64": return r.f64(what);
    case "u64": return r.u64(what);
    case "i64": return r.i64(what);
    case "string": return r.string(what);
    case "bool": {
      const at = r.position;
      const b = r.u8(what);
      if (b > 1) r.fail(what, `bool holds ${b}`, at);
      return b === 1;
    }
  }
}

function readValueType(r: ByteReader, what: string): keyof typeof GGUF_VALUE_TYPE {
  const at = r.position;
  const code = r.u32(what);
  const type = TYPE_BY_CODE.get(code);
  if (type === undefined) r.fail(what, `unknown value type ${code}`, at);
  return type;
}

function readValue(r: ByteReader, key: string): GgufValue {
  const what = `the value of ${key}`;
  const type = readValueType(r, `the type of ${key}`);
  if (type !== "array") return { type, value: readScalar(r, type, what) } as GgufValue;
  const itemType = readValueType(r, `the item type of ${key}`);
  if (itemType === "array") r.fail(what, "nested arrays are not supported");
  const n = r.count(`the length of ${key}`, MIN_SIZE[itemType]);
  const value: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) value[i] = readScalar(r, itemType, `${key}[${i}]`);
  return { type: "array", itemType, value } as GgufValue;
}

function parse(r: ByteReader, label: string): GgufFile {
  const magic = r.u32("the magic number");
  if (magic !== GGUF_MAGIC) {
    throw new GgufFormatError(`${label}: not a GGUF file (it starts with 0x${magic.toString(16).padStart(8, "0")}, not "GGUF")`);
  }
  const version = r.u32("the version");
  if (version !== 2 && version !== 3) {
    throw new GgufFormatError(`${label}: GGUF version ${version} is not supported (2 and 3 are)`);
  }
  const tensorCount = r.count("the tensor count", 8 + 4 + 8 + 4 + 8);
  const kvCount = r.count("the metadata count", 8 + 4 + 1);
  const metadata: GgufMetadata = new Map();
  for (let i = 0; i < kvCount; i++) {
    const key = r.string(`metadata key ${i}`);
    if (metadata.has(key)) r.fail(`metadata key ${i}`, `duplicate key ${key}`);
    metadata.set(key, readValue(r, key));
  }
  const alignValue = metadata.get("general.alignment");
  let alignment = GGUF_DEFAULT_ALIGNMENT;
  if (alignValue !== undefined) {
    if (alignValue.type !== "u32" || alignValue.value === 0 || alignValue.value % 8 !== 0) {
      throw new GgufFormatError(`${label}: general.alignment must be a non-zero u32 multiple of 8`);
    }
    alignment = alignValue.value;
  }
  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = r.string(`the name of tensor ${i}`);
    if (names.has(name)) r.fail(`tensor ${name}`, "duplicate tensor name");
    names.add(name);
    const nDims = r.u32(`the dimension count of ${name}`);
    if (nDims < 1 || nDims > 4) r.fail(`tensor ${name}`, `${nDims} dimensions (1 to 4 allowed)`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) {
      const dim = r.count(`dimension ${d} of ${name}`, 0);
      if (dim > 2 ** 40) r.fail(`tensor ${name}`, `dimension ${d} is ${dim}`);
      if (dim === 0) r.fail(`tensor ${name}`, `dimension ${d} is 0`);
      dims.push(dim);
    }
    const typeCode = r.u32(`the type of ${name}`);
    const offsetAt = r.position;
    const offset = Number(r.u64(`the offset of ${name}`));
    if (offset > r.size) r.fail(`tensor ${name}`, `offset ${offset} lies beyond the end of the file (${r.size} bytes)`, offsetAt);
    if (offset % alignment !== 0) r.fail(`tensor ${name}`, `offset ${offset} is not a multiple of ${alignment}`, offsetAt);
    const type = ggmlTypeName(typeCode) ?? null;
    const elements = dims.reduce((a, b) => a * b, 1);
    // dims[0] is the row length (ggml stores the innermost dimension first); blocks run along it.
    const misfit = type && blockMisfit(type, dims[0]!);
    if (misfit) r.fail(`tensor ${name}`, `it is ${type} but ${misfit}`);
    tensors.push({ name, shape: dims.reverse(), typeCode, type, offset, byteLength: type ? ggmlByteLength(type, elements) : null });
  }
  const dataOffset = Math.ceil(r.position / alignment) * alignment;
  for (const t of tensors) {
    if (t.byteLength !== null && dataOffset + t.offset + t.byteLength > r.size) {
      throw new GgufFormatError(
        `${label}: the file is truncated: tensor ${t.name} needs bytes ${dataOffset + t.offset} to ${dataOffset + t.offset + t.byteLength}, but the file has ${r.size}`,
      );
    }
  }
  return { version, metadata, tensors, alignment, dataOffset, fileSize: r.size };
}

function withReader<T>(source: ByteSource, label: string, fn: (r: ByteReader) => T): T {
  const r = new ByteReader(source, label);
  try {
    return fn(r);
  } finally {
    r.close();
  }
}

/** Parses a GGUF file's header without reading its tensor data. */
export function readGguf(path: string): GgufFile {
  return withReader(fileSource(path), path, (r) => parse(r, path));
}

export function parseGguf(bytes: Uint8Array, label = "GGUF data"): GgufFile {
  return withReader(memorySource(bytes), label, (r) => parse(r, label));
}

/** Reads one tensor as float32 values, dequantising block-quantised types as llama.cpp does. */
export function readGgufTensor(source: string | Uint8Array, file: GgufFile, name: string): Float32Array {
  const label = typeof source === "string" ? source : "GGUF data";
  const t = file.tensors.find((x) => x.name === name);
  if (!t) throw new GgufFormatError(`${label}: no tensor named ${name}`);
  if (t.type === null || t.byteLength === null) throw new GgufFormatError(`${label}: tensor ${name} has ggml type ${t.typeCode}, which we do not read`);
  // The header checked that the data lies inside the file, so this is at most the file's size.
  const bytes = new Uint8Array(t.byteLength);
  const src = typeof source === "string" ? fileSource(source) : memorySource(source);
  try {
    const got = src.read(bytes, file.dataOffset + t.offset, t.byteLength);
    // A file replaced or cut short since its header was read: never hand back zeros as weights.
    if (got < t.byteLength) {
      throw new GgufFormatError(`${label}: the file ends at byte ${file.dataOffset + t.offset + got} inside tensor ${name} (${t.byteLength} bytes from ${file.dataOffset + t.offset}): it changed or was truncated after its header was read`);
    }
  } finally {
    src.close();
  }
  if (t.type === "F32") return new Float32Array(bytes.buffer);
  if (t.type === "F16") return decodeF16(new Uint16Array(bytes.buffer));
  if (t.type === "BF16") return decodeBf16(new Uint16Array(bytes.buffer));
  return dequantize(t.type, bytes, t.shape.reduce((a, b) => a * b, 1));
}

/** Typed getters for callers that need one key of one type, with a clear error otherwise. */
export function metaNumber(file: GgufFile, key: string): number {
  const v = file.metadata.get(key);
  if (v === undefined || v.type === "array" || typeof v.value !== "number") throw new GgufFormatError(`metadata ${key} is missing or not a number`);
  return v.value;
}

export function metaString(file: GgufFile, key: string): string {
  const v = file.metadata.get(key);
  if (v === undefined || v.type !== "string") throw new GgufFormatError(`metadata ${key} is missing or not a string`);
  return v.value;
}
