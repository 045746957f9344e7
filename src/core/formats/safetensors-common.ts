// What the safetensors reader and writer share: the dtypes and their sizes, the order Hugging
// Face's writer lays tensors out in, and the error type. Format: an 8-byte little-endian header
// length N, N bytes of JSON ({"__metadata__": {str: str}, name: {dtype, shape, data_offsets}}),
// then the tensors' bytes, row-major, little-endian; data_offsets count from the end of the header.

export type SafetensorsDtype =
  | "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" | "I16" | "U16" | "F16" | "BF16"
  | "I32" | "U32" | "F32" | "F64" | "I64" | "U64";

/** Bytes per element, in the declaration order of the Rust crate's Dtype enum (its sort order). */
export const DTYPE_SIZES: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};
const DTYPE_RANK = new Map(Object.keys(DTYPE_SIZES).map((d, i) => [d, i]));

export function isDtype(x: unknown): x is SafetensorsDtype {
  return typeof x === "string" && DTYPE_RANK.has(x);
}

/** The crate sorts tensors by dtype, largest enum value first, then by name: we write the same order. */
export function compareForLayout(a: { name: string; dtype: SafetensorsDtype }, b: { name: string; dtype: SafetensorsDtype }): number {
  const byDtype = (DTYPE_RANK.get(b.dtype) as number) - (DTYPE_RANK.get(a.dtype) as number);
  if (byDtype !== 0) return byDtype;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The crate refuses headers over 100 MB: a bigger length field means a corrupt file. */
export const MAX_HEADER_BYTES = 100_000_000;

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** An unreadable or malformed safetensors file: names the file and says what is wrong with it. */
export class SafetensorsError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = "SafetensorsError";
  }
}

// Typed-array views of the file's bytes assume a little-endian host (x64, arm64: every platform
// VS Code ships on).
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
