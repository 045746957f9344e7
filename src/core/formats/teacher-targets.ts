// The teacher's top-k next-token distributions, written once by the teacher pass and read
// by the student's distillation steps, so the teacher never shares memory with the student.
//
// Layout (little-endian):
//   "RTTOPK01"                                   8-byte magic and version
//   per sequence, starting 4-byte aligned:
//     u32 L                                      tokens in the sequence
//     u32[L]  tokens                             the student's input ids
//     u8[L]   mask, padded to 4                   1 = the next-token prediction at t counts
//     (u16|u32)[L*k] ids, padded to 4            top-k token ids per position, likeliest first; 0xffff.. = unused
//     f16[L*k] log-probs, padded to 4            teacher log-probs at temperature 1
//   footer: UTF-8 JSON {version, k, vocabSize, idBytes, teacher, offsets, lengths}
//   trailer: u32 footerOffsetLow, u32 footerOffsetHigh, "RTTKEND!"
// Size per position: k * (2 + 2) bytes with a vocabulary under 65535 (256 bytes at k = 64),
// against 4 * V for the full distribution (8 KB at V = 2048).
// Log-probs rather than probabilities: float16 keeps ~3 significant digits of a log-prob at
// any magnitude, where a probability under 6e-5 would fall into float16's subnormals.
// Temperature 1: restricting to the top k and renormalising exp(logp / T) gives the same
// distribution as applying T first, so one file serves any distillation temperature.
import * as fs from "node:fs";
import { dirname } from "node:path";
import { fsyncDirSync, writeAllSync } from "../fs/atomic-write";
import { decodeF16, encodeF16 } from "./float16";
import { PRIVATE_FILE_MODE } from "../fs/private-files";

const MAGIC = Buffer.from("RTTOPK01", "latin1");
const END = Buffer.from("RTTKEND!", "latin1");
const TRAILER_BYTES = 16;
export const TEACHER_TARGETS_VERSION = 1;

export interface TeacherTargetsMeta {
  k: number;
  vocabSize: number;
  /** What produced the targets (a model directory or GGUF path), for the report. */
  teacher: string;
}

export interface TeacherSequence {
  tokens: Uint32Array;
  mask: Uint8Array;
  /** [L * k]; -1 where a slot is unused (vocabulary smaller than k). */
  ids: Int32Array;
  /** [L * k] log-probs at temperature 1; -Infinity where a slot is unused. */
  logProbs: Float32Array;
}

export class TeacherTargetsError extends Error {
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = "TeacherTargetsError";
  }
}

const pad4 = (n: number): number => (n + 3) & ~3;
const idBytesFor = (vocabSize: number): 2 | 4 => (vocabSize < 0xffff ? 2 : 4);

interface Footer extends TeacherTargetsMeta {
  version: number;
  idBytes: 2 | 4;
  offsets: number[];
  lengths: number[];
}

/** Streams sequences to a temporary file; `close` makes the file appear whole, or not at all. */
export class TeacherTargetsWriter {
  private readonly fd: number;
  private readonly tmp: string;
  private offset = 0;
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private readonly idBytes: 2 | 4;
  private closed = false;

  constructor(
    readonly path: string,
    readonly meta: TeacherTargetsMeta,
  ) {
    if (!(meta.k >= 1 && Number.isInteger(meta.k))) throw new TeacherTargetsError(path, `k must be a positive integer, got ${meta.k}`);
    this.idBytes = idBytesFor(meta.vocabSize);
    this.tmp = `${path}.tmp-${process.pid}`;
    this.fd = fs.openSync(this.tmp, "w", PRIVATE_FILE_MODE); // 0600: core/fs/private-files.ts
    this.write(MAGIC);
  }

  private write(bytes: Uint8Array): void {
    writeAllSync(this.fd, bytes);
    this.offset += bytes.length;
  }

  private writePadded(view: ArrayBufferView): void {
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    this.write(bytes);
    const pad = pad4(bytes.length) - bytes.length;
    if (pad) this.write(new Uint8Array(pad));
  }

  append(seq: { tokens: ArrayLike<number>; mask: ArrayLike<number>; ids: ArrayLike<number>; logProbs: ArrayLike<number> }): void {
    if (this.closed) throw new TeacherTargetsError(this.path, "append after close");
    const l = seq.tokens.length;
    const { k } = this.meta;
    if (seq.mask.length !== l) throw new TeacherTargetsError(this.path, `mask has ${seq.mask.length} entries for ${l} tokens`);
    if (seq.ids.length !== l * k || seq.logProbs.length !== l * k) {
      throw new TeacherTargetsError(this.path, `expected ${l * k} ids and log-probs (${l} positions x k=${k}), got ${seq.ids.length} and ${seq.logProbs.length}`);
    }
    this.offsets.push(this.offset);
    this.lengths.push(l);
    this.writePadded(new Uint32Array([l]));
    this.writePadded(Uint32Array.from(seq.tokens));
    this.writePadded(Uint8Array.from(seq.mask, (m) => (m ? 1 : 0)));
    const unused = this.idBytes === 2 ? 0xffff : 0xffffffff;
    const ids = this.idBytes === 2 ? new Uint16Array(l * k) : new Uint32Array(l * k);
    for (let i = 0; i < l * k; i++) {
      const id = seq.ids[i]!;
      if (id >= this.meta.vocabSize) throw new TeacherTargetsError(this.path, `token id ${id} is outside the vocabulary of ${this.meta.vocabSize}`);
      ids[i] = id < 0 ? unused : id;
    }
    this.writePadded(ids);
    this.writePadded(encodeF16(seq.logProbs));
  }

  get sequences(): number {
    return this.lengths.length;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const footer: Footer = { version: TEACHER_TARGETS_VERSION, ...this.meta, idBytes: this.idBytes, offsets: this.offsets, lengths: this.lengths };
    const footerOffset = this.offset;
    this.write(Buffer.from(JSON.stringify(footer), "utf8"));
    const trailer = Buffer.alloc(TRAILER_BYTES);
    trailer.writeUInt32LE(footerOffset % 2 ** 32, 0);
    trailer.writeUInt32LE(Math.floor(footerOffset / 2 ** 32), 4);
    END.copy(trailer, 8);
    this.write(trailer);
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    fs.renameSync(this.tmp, this.path);
    fsyncDirSync(dirname(this.path));
  }

  /** Drops a half-written file (cancelled or failed teacher pass). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
    fs.rmSync(this.tmp, { force: true });
  }
}

/** Random access to the sequences of a finished file, one read per sequence. */
export class TeacherTargetsReader {
  readonly meta: TeacherTargetsMeta;
  private readonly footer: Footer;
  private fd: number | undefined;

  private constructor(readonly path: string, fd: number, footer: Footer) {
    this.fd = fd;
    this.footer = footer;
    this.meta = { k: footer.k, vocabSize: footer.vocabSize, teacher: footer.teacher };
  }

  static open(path: string): TeacherTargetsReader {
    const fd = fs.openSync(path, "r");
    try {
      const size = fs.fstatSync(fd).size;
      const head = Buffer.alloc(MAGIC.length);
      if (size < MAGIC.length + TRAILER_BYTES) throw new TeacherTargetsError(path, `${size} bytes is too short for a teacher-targets file (truncated?)`);
      fs.readSync(fd, head, 0, head.length, 0);
      if (!head.equals(MAGIC)) throw new TeacherTargetsError(path, `not a teacher-targets file (magic ${JSON.stringify(head.toString("latin1"))}, expected "RTTOPK01")`);
      const trailer = Buffer.alloc(TRAILER_BYTES);
      fs.readSync(fd, trailer, 0, TRAILER_BYTES, size - TRAILER_BYTES);
      if (!trailer.subarray(8).equals(END)) throw new TeacherTargetsError(path, "no end marker: the file is truncated (the teacher pass did not finish)");
      const footerOffset = trailer.readUInt32LE(0) + trailer.readUInt32LE(4) * 2 ** 32;
      if (footerOffset < MAGIC.length || footerOffset > size - TRAILER_BYTES) throw new TeacherTargetsError(path, `footer offset ${footerOffset} is outside the file`);
      const raw = Buffer.alloc(size - TRAILER_BYTES - footerOffset);
      fs.readSync(fd, raw, 0, raw.length, footerOffset);
      let footer: Footer;
      try {
        footer = JSON.parse(raw.toString("utf8")) as Footer;
      } catch (err) {
        throw new TeacherTargetsError(path, `footer is not valid JSON (${(err as Error).message})`);
      }
      if (footer.version !== TEACHER_TARGETS_VERSION) throw new TeacherTargetsError(path, `version ${footer.version}, this build reads ${TEACHER_TARGETS_VERSION}`);
      if (!Array.isArray(footer.offsets) || !Array.isArray(footer.lengths) || footer.offsets.length !== footer.lengths.length) {
        throw new TeacherTargetsError(path, "footer offsets and lengths disagree");
      }
      return new TeacherTargetsReader(path, fd, footer);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  get count(): number {
    return this.footer.lengths.length;
  }

  length(i: number): number {
    return this.footer.lengths[i]!;
  }

  /** Total positions in the file. */
  get positions(): number {
    return this.footer.lengths.reduce((a, b) => a + b, 0);
  }

  read(i: number): TeacherSequence {
    if (this.fd === undefined) throw new TeacherTargetsError(this.path, "read after close");
    if (!(i >= 0 && i < this.count)) throw new TeacherTargetsError(this.path, `sequence ${i} does not exist (${this.count} stored)`);
    const l = this.footer.lengths[i]!;
    const { k } = this.footer;
    const idBytes = this.footer.idBytes;
    const tokensAt = 4;
    const maskAt = tokensAt + 4 * l;
    const idsAt = maskAt + pad4(l);
    const lpAt = idsAt + pad4(l * k * idBytes);
    const total = lpAt + pad4(l * k * 2);
    // A fresh ArrayBuffer per read: offset 0, so every section's typed view is aligned.
    const buf = new Uint8Array(total);
    const got = fs.readSync(this.fd, buf, 0, total, this.footer.offsets[i]!);
    if (got !== total) throw new TeacherTargetsError(this.path, `sequence ${i} is truncated (${got} of ${total} bytes)`);
    const stored = new Uint32Array(buf.buffer, 0, 1)[0];
    if (stored !== l) throw new TeacherTargetsError(this.path, `sequence ${i} says ${stored} tokens, the footer ${l}: the file is corrupt`);
    const rawIds = idBytes === 2 ? new Uint16Array(buf.buffer, idsAt, l * k) : new Uint32Array(buf.buffer, idsAt, l * k);
    const unused = idBytes === 2 ? 0xffff : 0xffffffff;
    const ids = new Int32Array(l * k);
    for (let j = 0; j < ids.length; j++) ids[j] = rawIds[j] === unused ? -1 : rawIds[j]!;
    return {
      tokens: new Uint32Array(buf.buffer, tokensAt, l).slice(),
      mask: new Uint8Array(buf.buffer, maskAt, l).slice(),
      ids,
      logProbs: decodeF16(new Uint16Array(buf.buffer, lpAt, l * k)),
    };
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
