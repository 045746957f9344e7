// Reads a JSON Lines file that another process is still appending to (events.jsonl of a
// running training, feedback/events.jsonl): each call returns the whole lines added since
// the last one. A line without its newline yet is held back, not parsed, because the writer
// may be halfway through it; it is only counted as torn once the file is known to be final.
import { open, stat } from "node:fs/promises";
import { parseJsonLine } from "../../../core/store/jsonl-line";

export interface TailChunk {
  /** Parsed JSON of each new complete line, in file order. */
  records: unknown[];
  /** Lines that were not JSON (hand-edited, or a torn write from a crash). */
  malformed: number;
  /** True when the file was replaced or shrank, so everything was read again from the start. */
  restarted: boolean;
  /** More was already in the file than one read takes: call again to catch up. */
  more: boolean;
}

/**
 * Bytes read per call. A chunk lives three times over while it is turned into events (the
 * bytes, the decoded string, the parsed records), so this bounds the host's memory for a log
 * of any size; the feed calls again until it has caught up (bench/dashboard-load.ts).
 */
const MAX_READ = 8 * 1024 * 1024;
/** No event is this long: a line that grows past it is garbage (a file that is not a log), skipped to its end. */
const MAX_LINE = 16 * 1024 * 1024;

export class JsonlTail {
  private offset = 0;
  private carry = "";
  private decoder = new TextDecoder("utf-8");
  private ino: number | null = null;
  /** Inside a line longer than MAX_LINE: what comes is dropped up to its newline. */
  private skipping = false;

  constructor(readonly path: string) {}

  /** Whatever was appended since the last call; an absent file reads as empty. */
  async read(): Promise<TailChunk> {
    let info;
    try {
      info = await stat(this.path);
    } catch {
      return { records: [], malformed: 0, restarted: false, more: false };
    }
    let restarted = false;
    if (info.size < this.offset || (this.ino !== null && info.ino !== this.ino)) {
      this.offset = 0;
      this.carry = "";
      this.skipping = false;
      this.decoder = new TextDecoder("utf-8");
      restarted = true;
    }
    this.ino = info.ino;
    if (info.size === this.offset) return { records: [], malformed: 0, restarted, more: false };
    const length = Math.min(info.size - this.offset, MAX_READ);
    const buffer = Buffer.alloc(length);
    const handle = await open(this.path, "r");
    let got = 0;
    try {
      while (got < length) {
        const { bytesRead } = await handle.read(buffer, got, length - got, this.offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } finally {
      await handle.close();
    }
    this.offset += got;
    // stream: true keeps a UTF-8 character split across two reads whole.
    let text = this.carry + this.decoder.decode(buffer.subarray(0, got), { stream: true });
    let skipped = 0;
    if (this.skipping) {
      const newline = text.indexOf("\n");
      if (newline === -1) return { records: [], malformed: 0, restarted, more: this.offset < info.size };
      text = text.slice(newline + 1);
      this.skipping = false;
    }
    const lines = text.split("\n");
    this.carry = lines.pop() ?? "";
    if (this.carry.length > MAX_LINE) {
      // Memory stays bounded whatever the file holds: the overlong line counts as one bad line.
      this.carry = "";
      this.skipping = true;
      skipped = 1;
    }
    const { records, malformed } = parseLines(lines);
    return { records, malformed: malformed + skipped, restarted, more: this.offset < info.size };
  }

  /** The held-back partial last line, for a file whose writer is gone: it is torn. */
  get pendingPartialLine(): boolean {
    return this.carry.trim().length > 0;
  }
}

export function parseLines(lines: string[]): { records: unknown[]; malformed: number } {
  const records: unknown[] = [];
  let malformed = 0;
  for (const line of lines) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const parsed = parseJsonLine(trimmed);
    if (parsed) records.push(parsed.value);
    else malformed++;
  }
  return { records, malformed };
}
