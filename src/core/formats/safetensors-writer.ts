// Writes safetensors files as Hugging Face's `safetensors` crate does (same tensor order, header
// padded with spaces to 8 bytes so every tensor is aligned), atomically, streaming one tensor at a
// time so a model is never held twice in memory. transformers refuses a file whose
// __metadata__.format is missing, so "pt" is written unless the caller says otherwise.
import { writeAllSync, writeFileAtomicSync } from "../fs/atomic-write";
import { encodeBf16, encodeF16 } from "./float16";
import { compareForLayout, DTYPE_SIZES, elementCount, HOST_IS_LITTLE_ENDIAN, SafetensorsError } from "./safetensors-common";

export type WritableDtype = "F32" | "F16" | "BF16" | "I32" | "I64";

export interface TensorToWrite {
  dtype: WritableDtype;
  shape: readonly number[];
  /** Row-major values, or a function producing them when the writer reaches this tensor. */
  data: ArrayLike<number> | (() => ArrayLike<number>);
}

interface Planned {
  name: string;
  tensor: TensorToWrite;
  begin: number;
  end: number;
}

function plan(file: string, tensors: Iterable<[string, TensorToWrite]>, metadata: Record<string, string>): { header: Buffer; planned: Planned[] } {
  const entries: Planned[] = [];
  for (const [name, tensor] of tensors) {
    if (name === "__metadata__" || name === "") throw new SafetensorsError(file, `"${name}" cannot be a tensor name`);
    if (!(tensor.dtype in DTYPE_SIZES)) throw new SafetensorsError(file, `tensor "${name}": cannot write dtype ${tensor.dtype}`);
    if (!tensor.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(file, `tensor "${name}": shape [${tensor.shape.join(", ")}] is not a list of non-negative integers`);
    }
    entries.push({ name, tensor, begin: 0, end: 0 });
  }
  entries.sort((a, b) => compareForLayout({ name: a.name, dtype: a.tensor.dtype }, { name: b.name, dtype: b.tensor.dtype }));
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const e of entries) {
    if (Object.prototype.hasOwnProperty.call(header, e.name)) throw new SafetensorsError(file, `tensor "${e.name}" given twice`);
    e.begin = offset;
    e.end = offset + elementCount(e.tensor.shape) * DTYPE_SIZES[e.tensor.dtype];
    offset = e.end;
    header[e.name] = { dtype: e.tensor.dtype, shape: [...e.tensor.shape], data_offsets: [e.begin, e.end] };
  }
  let json = JSON.stringify(header);
  const length = Buffer.byteLength(json, "utf8");
  json += " ".repeat((8 - (length % 8)) % 8);
  const bytes = Buffer.from(json, "utf8");
  const out = Buffer.alloc(8 + bytes.length);
  out.writeBigUInt64LE(BigInt(bytes.length), 0);
  bytes.copy(out, 8);
  return { header: out, planned: entries };
}

function encode(file: string, name: string, tensor: TensorToWrite): Uint8Array {
  const values = typeof tensor.data === "function" ? tensor.data() : tensor.data;
  const count = elementCount(tensor.shape);
  if (values.length !== count) {
    throw new SafetensorsError(file, `tensor "${name}": shape [${tensor.shape.join(", ")}] has ${count} elements but ${values.length} values were given`);
  }
  let typed: ArrayBufferView;
  switch (tensor.dtype) {
    case "F32": typed = values instanceof Float32Array ? values : Float32Array.from(values); break;
    case "F16": typed = encodeF16(values); break;
    case "BF16": typed = encodeBf16(values); break;
    case "I32": typed = values instanceof Int32Array ? values : Int32Array.from(values); break;
    case "I64": typed = BigInt64Array.from(Array.from(values), (v) => BigInt(Math.trunc(v))); break;
  }
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

/** The whole file in memory (for tests and small files). */
export function serializeSafetensors(tensors: Iterable<[string, TensorToWrite]>, metadata: Record<string, string> = { format: "pt" }): Uint8Array {
  if (!HOST_IS_LITTLE_ENDIAN) throw new SafetensorsError("<memory>", "this writer needs a little-endian host");
  const { header, planned } = plan("<memory>", tensors, metadata);
  const parts: Uint8Array[] = [header];
  for (const p of planned) parts.push(encode("<memory>", p.name, p.tensor));
  return Buffer.concat(parts);
}

/** Writes `path` atomically (temp file, fsync, rename, fsync of the folder). */
export function writeSafetensors(path: string, tensors: Iterable<[string, TensorToWrite]>, metadata: Record<string, string> = { format: "pt" }): void {
  if (!HOST_IS_LITTLE_ENDIAN) throw new SafetensorsError(path, "this writer needs a little-endian host");
  const { header, planned } = plan(path, tensors, metadata);
  writeFileAtomicSync(path, (fd) => {
    writeAllSync(fd, header);
    for (const p of planned) writeAllSync(fd, encode(path, p.name, p.tensor));
  });
}
