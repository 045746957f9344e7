// A bounds-checked little-endian cursor over a file (read in chunks, so a multi-GB model's
// header is parsed without reading its tensors) or over bytes in memory. Every read past
// the end throws a GgufFormatError that says what was being read and where the data ends.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { GgufFormatError } from "./types";

export interface ByteSource {
  readonly size: number;
  /** Copies up to `length` bytes at `position` into `into`; returns how many. */
  read(into: Uint8Array, position: number, length: number): number;
  close(): void;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(into, position, length) {
      const n = Math.max(0, Math.min(length, bytes.length - position));
      into.set(bytes.subarray(position, position + n));
      return n;
    },
    close() {},
  };
}

/** A file opened for reading; a missing, unreadable or non-regular file is a GgufFormatError naming it. */
export function fileSource(path: string): ByteSource {
  const code = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw new GgufFormatError(`${path}: cannot be opened (${code(err)})`);
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new GgufFormatError(`${path}: not a file (${stat.isDirectory() ? "a folder" : "a device, socket or pipe"})`);
  }
  return {
    size: stat.size,
    read: (into, position, length) => {
      // readSync may return fewer bytes than asked (over 2 GB at once, or a file cut short
      // since it was measured): keep reading until done or the file ends.
      let done = 0;
      try {
        while (done < length) {
          const n = readSync(fd, into, done, length - done, position + done);
          if (n === 0) break;
          done += n;
        }
      } catch (err) {
        throw new GgufFormatError(`${path}: cannot be read at byte ${position + done} (${code(err)})`);
      }
      return done;
    },
    close: () => closeSync(fd),
  };
}

const CHUNK = 1 << 20;

export class ByteReader {
  private buf = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  /** File position of buf[0]. */
  private base = 0;
  private pos = 0;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });

  constructor(
    private readonly source: ByteSource,
    private readonly label: string,
  ) {}

  get position(): number {
    return this.pos;
  }

  get size(): number {
    return this.source.size;
  }

  fail(what: string, message: string, at = this.pos): never {
    throw new GgufFormatError(`${this.label}: ${message} at byte ${at} while reading ${what}`);
  }

  /** Makes n bytes at the cursor available in buf. */
  private need(n: number, what: string): number {
    if (this.pos + n > this.source.size) {
      this.fail(what, `the file ends (it has ${this.source.size} bytes; ${n} more needed)`);
    }
    const start = this.pos - this.base;
    if (start >= 0 && start + n <= this.buf.length) return start;
    const size = Math.max(n, CHUNK);
    const next = new Uint8Array(Math.min(size, this.source.size - this.pos));
    const got = this.source.read(next, this.pos, next.length);
    if (got < n) this.fail(what, "short read");
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.base = this.pos;
    return 0;
  }

  u8(what: string): number { const i = this.need(1, what); this.pos += 1; return this.view.getUint8(i); }
  i8(what: string): number { const i = this.need(1, what); this.pos += 1; return this.view.getInt8(i); }
  u16(what: string): number { const i = this.need(2, what); this.pos += 2; return this.view.getUint16(i, true); }
  i16(what: string): number { const i = this.need(2, what); this.pos += 2; return this.view.getInt16(i, true); }
  u32(what: string): number { const i = this.need(4, what); this.pos += 4; return this.view.getUint32(i, true); }
  i32(what: string): number { const i = this.need(4, what); this.pos += 4; return this.view.getInt32(i, true); }
  f32(what: string): number { const i = this.need(4, what); this.pos += 4; return this.view.getFloat32(i, true); }
  f64(what: string): number { const i = this.need(8, what); this.pos += 8; return this.view.getFloat64(i, true); }
  u64(what: string): bigint { const i = this.need(8, what); this.pos += 8; return this.view.getBigUint64(i, true); }
  i64(what: string): bigint { const i = this.need(8, what); this.pos += 8; return this.view.getBigInt64(i, true); }

  /**
   * A u64 count of items each at least `minItemBytes` long: a value the rest of the file
   * cannot hold means truncation or garbage, and is reported before anything is allocated.
   */
  count(what: string, minItemBytes: number): number {
    const at = this.pos;
    const v = this.u64(what);
    const left = this.source.size - this.pos;
    if (v * BigInt(minItemBytes) > BigInt(left)) {
      this.fail(what, `it says ${v}, but only ${left} bytes follow (truncated or corrupt)`, at);
    }
    return Number(v);
  }

  string(what: string): string {
    const len = this.count(`${what} length`, 1);
    const at = this.pos;
    const i = this.need(len, what);
    this.pos += len;
    try {
      return this.decoder.decode(this.buf.subarray(i, i + len));
    } catch {
      this.fail(what, "invalid UTF-8", at);
    }
  }

  close(): void {
    this.source.close();
  }
}
