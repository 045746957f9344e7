// Append-only JSON Lines writer (DESIGN.md "Data"). Every record becomes one whole line, and
// lines reach the file only through single write() calls on a descriptor opened with O_APPEND:
// the kernel then places each write at the end of the file as one unit, so two processes (two
// VS Code windows, the CLI and the extension) appending to one file never interleave lines.
// Buffering keeps that property: a flush writes whole lines only, in one call.
import * as fs from "node:fs";
import { PRIVATE_FILE_MODE } from "../fs/private-files";

export interface JsonlAppenderOptions {
  /**
   * Lines are collected up to this many bytes and written together (still one write, still
   * whole lines). 0 writes every record at once: what a log shared with other processes
   * wants, so a crash loses nothing already appended.
   */
  bufferBytes?: number;
  /** Start from an empty file (a dataset being rebuilt) instead of appending. */
  truncate?: boolean;
}

export class JsonlAppender {
  private readonly fd: number;
  /** Whole lines waiting to be written, UTF-8 encoded in place (no string joining, no copies). */
  private readonly buffer: Buffer;
  private used = 0;
  private closed = false;
  /** Set when the file ended mid-line (a writer killed during a write): see open(). */
  private startOnNewLine: boolean;
  records = 0;
  bytes = 0;

  private constructor(fd: number, bufferBytes: number, startOnNewLine: boolean) {
    this.fd = fd;
    this.buffer = Buffer.allocUnsafe(Math.max(0, bufferBytes));
    this.startOnNewLine = startOnNewLine;
  }

  static open(path: string, options: JsonlAppenderOptions = {}): JsonlAppender {
    // Read-write only so open() can look at the last byte (endsMidLine); every write appends.
    const flags = fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND | (options.truncate ? fs.constants.O_TRUNC : 0);
    // Datasets and feedback logs hold the user's code and typing: readable by them alone.
    const fd = fs.openSync(path, flags, PRIVATE_FILE_MODE);
    try {
      return new JsonlAppender(fd, options.bufferBytes ?? 0, endsMidLine(fd));
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /** Appends one record as one line. Throws on values JSON cannot hold (undefined, functions). */
  append(record: unknown): void {
    const json = JSON.stringify(record);
    if (typeof json !== "string") throw new TypeError("a JSON Lines record must be a JSON value");
    this.appendJson(json);
  }

  /** Appends an already serialised record; it must be one line of JSON. */
  appendJson(json: string): void {
    if (this.closed) throw new Error("JsonlAppender: append after close");
    // JSON.stringify never emits a raw newline; a caller's string might.
    if (json.includes("\n")) throw new Error("a JSON Lines record must not contain a raw newline");
    this.records++;
    // A UTF-8 encoding is at most 3 bytes per UTF-16 unit: room is checked before encoding in place.
    const room = json.length * 3 + 2;
    if (this.used + room > this.buffer.length) {
      this.flush();
      if (room > this.buffer.length) {
        this.writeWhole(Buffer.from(`${this.takeLeadingNewline()}${json}\n`, "utf8"));
        return;
      }
    }
    this.used += this.buffer.write(this.takeLeadingNewline(), this.used, "utf8");
    this.used += this.buffer.write(json, this.used, "utf8");
    this.buffer[this.used++] = 0x0a;
  }

  private takeLeadingNewline(): string {
    if (!this.startOnNewLine) return "";
    this.startOnNewLine = false;
    return "\n";
  }

  /** Writes the collected lines in one write() call. */
  flush(): void {
    if (this.used === 0) return;
    const data = this.buffer.subarray(0, this.used);
    this.used = 0;
    this.writeWhole(data);
  }

  private writeWhole(data: Buffer): void {
    let done = fs.writeSync(this.fd, data, 0, data.length);
    // A short write only happens when the disk is full or the process is being killed; the
    // rest still goes out (O_APPEND keeps it at the end) rather than leaving a torn line.
    while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done);
    this.bytes += data.length;
  }

  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      fs.closeSync(this.fd);
    }
  }
}

/**
 * A line without its newline this long after the file was last written is torn: an append in
 * progress updates the modification time before its first byte lands (the kernel does so on
 * entering write()), so a line still being written always has a recent one.
 */
const TORN_AFTER_MS = 2000;

/**
 * True when the file ends mid-line because a writer was killed during a write, long enough ago
 * that no append can still be under way. The next write then starts with a newline, so the torn
 * fragment stays a line of its own (which readers skip and report) and the file stays plain JSON
 * Lines for any reader.
 *
 * A younger unfinished line is left alone: it may be another process's append at this instant
 * (the kernel grows the file a page at a time during one write, so its last byte can briefly be
 * inside that writer's line), and a newline then would add a blank line to a whole file. Nothing
 * in the file says which it is, and a wait for the size to settle can be outlasted by a writer
 * that is descheduled mid-write. If it was a fresh tear after all, the record follows the
 * fragment on its line, and our readers keep it (jsonl-line.ts).
 */
function endsMidLine(fd: number): boolean {
  const info = fs.fstatSync(fd);
  if (info.size === 0 || Date.now() - info.mtimeMs < TORN_AFTER_MS) return false;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, info.size - 1);
  return last[0] !== 0x0a;
}

/** Appends one record to a shared log at once (no buffering): open, one write, close. */
export function appendJsonlRecord(path: string, record: unknown): void {
  const appender = JsonlAppender.open(path);
  try {
    appender.append(record);
  } finally {
    appender.close();
  }
}
