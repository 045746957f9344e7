// The vocabulary of a GGUF file (ggml's gguf.h / docs/gguf.md, version 3): value types of
// metadata, tensor element types, and the typed metadata values our writer and reader share.
// Metadata is typed explicitly because llama.cpp checks the stored type of each key: a
// u32 key written as i32 or u64, or an f32 key written as f64, fails to load.

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** gguf_type: the code stored before each metadata value. */
export const GGUF_VALUE_TYPE = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;
export type GgufScalarType = Exclude<keyof typeof GGUF_VALUE_TYPE, "array">;
export type GgufNumberType = Exclude<GgufScalarType, "bool" | "string" | "u64" | "i64">;

/** u64/i64 are bigint so large values survive; everything else numeric is a JS number. */
export type GgufScalar =
  | { type: GgufNumberType; value: number }
  | { type: "u64" | "i64"; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string };

export type GgufArray =
  | { type: "array"; itemType: GgufNumberType; value: number[] }
  | { type: "array"; itemType: "u64" | "i64"; value: bigint[] }
  | { type: "array"; itemType: "bool"; value: boolean[] }
  | { type: "array"; itemType: "string"; value: string[] };

export type GgufValue = GgufScalar | GgufArray;

/** Keys in file order. A Map keeps the order the writer was given. */
export type GgufMetadata = Map<string, GgufValue>;

// ggml's element types live with their block layouts and dequantisers.
export { GGML_TYPE, ggmlTypeName, type GgmlTypeName } from "./quants/block-types";
import type { GgmlTypeName } from "./quants/block-types";

/** llama.cpp's token types (tokenizer.ggml.token_type). */
export const GGUF_TOKEN_TYPE = {
  normal: 1,
  unknown: 2,
  control: 3,
  userDefined: 4,
  unused: 5,
  byte: 6,
} as const;

// Small constructors so call sites read as the type llama.cpp expects.
export const u32 = (value: number): GgufValue => ({ type: "u32", value });
export const i32 = (value: number): GgufValue => ({ type: "i32", value });
export const f32 = (value: number): GgufValue => ({ type: "f32", value });
export const bool = (value: boolean): GgufValue => ({ type: "bool", value });
export const str = (value: string): GgufValue => ({ type: "string", value });
export const strings = (value: string[]): GgufValue => ({ type: "array", itemType: "string", value });
export const i32s = (value: number[]): GgufValue => ({ type: "array", itemType: "i32", value });
export const f32s = (value: number[]): GgufValue => ({ type: "array", itemType: "f32", value });

/** A tensor as the reader found it. Shapes are row-major (PyTorch's [out, in]); the file stores them reversed. */
export interface GgufTensorInfo {
  name: string;
  /** Row-major shape, outermost first: HF's [out, in]. */
  shape: number[];
  /** ggml_type code as stored; quantised types are listed too, by code. */
  typeCode: number;
  /** The name when it is one we read (F32, F16, BF16 and the block-quantised types of quants/), else null. */
  type: GgmlTypeName | null;
  /** Byte offset of the data, relative to the start of the data section. */
  offset: number;
  /** Bytes of data when the type is one we know, else null. */
  byteLength: number | null;
}

export class GgufFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GgufFormatError";
  }
}
