// Reads safetensors files tensor by tensor through a file descriptor, so a multi-gigabyte
// model never has to fit in one Buffer. The header is validated completely on open, so a
// truncated or corrupt file is reported before any tensor is used, naming what is wrong.
import * as fs from "node:fs";
import { decodeBf16, decodeF16 } from "./float16";
import {
  DTYPE_SIZES,
  elementCount,
  HOST_IS_LITTLE_ENDIAN,
  isDtype,
  MAX_HEADER_BYTES,
  SafetensorsError,
  type SafetensorsDtype,
} from "./safetensors-common";
import { previewName, previewValue } from "../untrusted/preview-value";

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** [begin, end) within the data section (after the header). */
  dataOffsets: [number, number];
}

export interface FloatTensor {
  shape: number[];
  data: Float32Array;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

function isNonNegativeInt(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

function parseHeader(file: string, json: string, dataBytes: number): { metadata: Record<string, string>; tensors: Map<string, TensorInfo> } {
  let header: unknown;
  try {
    header = JSON.parse(json);
  } catch (err) {
    throw new SafetensorsError(file, `header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new SafetensorsError(file, "header is not a JSON object");
  }
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorInfo>();
  // Values from the file go into messages through previewValue/previewName, never JSON.stringify:
  // a dtype nested 50,000 arrays deep would overflow the stack, a 90 MB name would be the message.
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    const tensor = `tensor ${previewName(name)}`;
    if (name === "__metadata__") {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw new SafetensorsError(file, "__metadata__ is not an object");
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== "string") throw new SafetensorsError(file, `__metadata__.${previewName(k).slice(1, -1)} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (typeof entry !== "object" || entry === null) throw new SafetensorsError(file, `${tensor}: entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (!isDtype(dtype)) throw new SafetensorsError(file, `${tensor}: unknown dtype ${previewValue(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) {
      throw new SafetensorsError(file, `${tensor}: shape ${previewValue(shape)} is not a list of non-negative integers`);
    }
    const pair = Array.isArray(offsets) && offsets.length === 2 && offsets.every(isNonNegativeInt) ? (offsets as [number, number]) : undefined;
    if (!pair || pair[0] > pair[1]) {
      throw new SafetensorsError(file, `${tensor}: data_offsets ${previewValue(offsets)} is not a pair [begin, end] with begin <= end`);
    }
    const [begin, end] = pair;
    const expected = elementCount(shape) * DTYPE_SIZES[dtype];
    if (end - begin !== expected) {
      throw new SafetensorsError(
        file,
        `${tensor}: shape ${previewValue(shape).replaceAll(",", ", ")} of ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    }
    if (end > dataBytes) {
      throw new SafetensorsError(
        file,
        `${tensor}: data_offsets [${begin}, ${end}] go past the end of the data (${dataBytes} bytes): the file is truncated or the offsets are out of range`,
      );
    }
    tensors.set(name, { dtype, shape: shape.slice(), dataOffsets: [begin, end] });
  }
  checkLayout(file, tensors, dataBytes);
  return { metadata, tensors };
}

/** Tensors must tile the data section exactly, as the Rust crate requires: no overlap, no gap, no tail. */
function checkLayout(file: string, tensors: Map<string, TensorInfo>, dataBytes: number): void {
  const byOffset = [...tensors].sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]);
  let position = 0;
  let previous = "";
  for (const [name, info] of byOffset) {
    const [begin, end] = info.dataOffsets;
    if (begin < position) {
      throw new SafetensorsError(file, `tensor ${previewName(name)} (bytes ${begin}-${end}) overlaps tensor ${previewName(previous)} (which ends at ${position})`);
    }
    if (begin > position) {
      throw new SafetensorsError(file, `gap in the data: bytes ${position}-${begin} belong to no tensor (before ${previewName(name)})`);
    }
    position = end;
    previous = name;
  }
  if (position !== dataBytes) {
    throw new SafetensorsError(file, `${dataBytes - position} bytes after the last tensor belong to no tensor`);
  }
}

/** An open safetensors file. Close it when done (or use readSafetensors for small files). */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private fd: number | undefined,
    private readonly dataStart: number,
    readonly metadata: Record<string, string>,
    readonly tensors: ReadonlyMap<string, TensorInfo>,
  ) {}

  static open(path: string): SafetensorsFile {
    if (!HOST_IS_LITTLE_ENDIAN) throw new SafetensorsError(path, "this reader needs a little-endian host");
    let fd: number;
    try {
      fd = fs.openSync(path, "r");
    } catch (err) {
      throw new SafetensorsError(path, `cannot open (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size < 8) throw new SafetensorsError(path, `truncated: ${size} bytes, too short for the 8-byte header length`);
      const lengthBytes = Buffer.alloc(8);
      fs.readSync(fd, lengthBytes, 0, 8, 0);
      const headerLength = lengthBytes.readBigUInt64LE(0);
      if (headerLength > BigInt(MAX_HEADER_BYTES)) {
        throw new SafetensorsError(path, `header length ${headerLength} is over the ${MAX_HEADER_BYTES}-byte limit: not a safetensors file, or corrupt`);
      }
      const n = Number(headerLength);
      if (8 + n > size) {
        throw new SafetensorsError(path, `header length ${n} goes beyond the end of the file (${size} bytes): truncated or corrupt`);
      }
      const headerBytes = Buffer.alloc(n);
      readFully(path, fd, headerBytes, 8);
      if (n === 0 || headerBytes[0] !== 0x7b /* { */) throw new SafetensorsError(path, "header does not start with '{': not a safetensors file, or corrupt");
      let json: string;
      try {
        json = UTF8.decode(headerBytes);
      } catch {
        // The Rust crate refuses it too; decoding loosely would turn names into U+FFFD silently.
        throw new SafetensorsError(path, "header is not valid UTF-8: corrupt");
      }
      const { metadata, tensors } = parseHeader(path, json, size - 8 - n);
      return new SafetensorsFile(path, fd, 8 + n, metadata, tensors);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  info(name: string): TensorInfo {
    const info = this.tensors.get(name);
    if (!info) throw new SafetensorsError(this.path, `no tensor named "${name}"`);
    return info;
  }

  /** The tensor's bytes as stored, in a fresh (8-byte-aligned) buffer. */
  readBytes(name: string): Uint8Array {
    if (this.fd === undefined) throw new SafetensorsError(this.path, "read after close");
    const [begin, end] = this.info(name).dataOffsets;
    const bytes = new Uint8Array(new ArrayBuffer(end - begin));
    readFully(this.path, this.fd, bytes, this.dataStart + begin);
    return bytes;
  }

  /** The tensor as float32: F32 as is, F16/BF16/F64 converted, integers converted (exact below 2^24). */
  readFloat32(name: string): FloatTensor {
    const { dtype, shape } = this.info(name);
    const bytes = this.readBytes(name);
    const buf = bytes.buffer;
    let data: Float32Array;
    switch (dtype) {
      case "F32": data = new Float32Array(buf); break;
      case "F16": data = decodeF16(new Uint16Array(buf)); break;
      case "BF16": data = decodeBf16(new Uint16Array(buf)); break;
      case "F64": data = Float32Array.from(new Float64Array(buf)); break;
      case "I32": data = Float32Array.from(new Int32Array(buf)); break;
      case "U32": data = Float32Array.from(new Uint32Array(buf)); break;
      case "I16": data = Float32Array.from(new Int16Array(buf)); break;
      case "U16": data = Float32Array.from(new Uint16Array(buf)); break;
      case "I8": data = Float32Array.from(new Int8Array(buf)); break;
      case "U8": case "BOOL": data = Float32Array.from(bytes); break;
      case "I64": data = Float32Array.from(new BigInt64Array(buf), Number); break;
      case "U64": data = Float32Array.from(new BigUint64Array(buf), Number); break;
      default: throw new SafetensorsError(this.path, `tensor "${name}": cannot convert ${dtype} to float32`);
    }
    return { shape: shape.slice(), data };
  }

  /** An integer or float tensor as exact JavaScript numbers (for counters such as a step). */
  readNumbers(name: string): number[] {
    const { dtype } = this.info(name);
    const buf = this.readBytes(name).buffer;
    if (dtype === "I64" || dtype === "U64") {
      const big = dtype === "I64" ? new BigInt64Array(buf) : new BigUint64Array(buf);
      return Array.from(big, (v) => {
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new SafetensorsError(this.path, `tensor "${name}": ${v} is beyond JavaScript's exact integers`);
        }
        return Number(v);
      });
    }
    switch (dtype) {
      case "F64": return Array.from(new Float64Array(buf));
      case "I32": return Array.from(new Int32Array(buf));
      case "U32": return Array.from(new Uint32Array(buf));
      case "I16": return Array.from(new Int16Array(buf));
      case "U16": return Array.from(new Uint16Array(buf));
      case "I8": return Array.from(new Int8Array(buf));
      case "U8": case "BOOL": return Array.from(new Uint8Array(buf));
      default: return Array.from(this.readFloat32(name).data);
    }
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

function readFully(path: string, fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.length) {
    const n = fs.readSync(fd, into, done, into.length - done, position + done);
    // The size was checked on open: the file shrank since (another process rewrote it in place).
    if (n === 0) throw new SafetensorsError(path, `unexpected end of file at byte ${position + done}: truncated while open`);
    done += n;
  }
}

/** Reads every tensor of a file as float32 (for optimizer state, adapters and small models). */
export function readSafetensors(path: string): { metadata: Record<string, string>; tensors: Map<string, FloatTensor> } {
  const file = SafetensorsFile.open(path);
  try {
    const tensors = new Map<string, FloatTensor>();
    for (const name of file.tensors.keys()) tensors.set(name, file.readFloat32(name));
    return { metadata: { ...file.metadata }, tensors };
  } finally {
    file.close();
  }
}
