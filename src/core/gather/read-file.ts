// Reads files into one reused buffer: gathering reads tens of thousands of files, and a fresh
// buffer per file would keep the garbage collector busy for nothing. The bytes returned are
// valid until the next read.
import * as fs from "node:fs";

// O_NOFOLLOW: a file swapped for a link after it was checked is not followed (not on Windows).
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0);

export class FileReader {
  private buffer: Buffer;

  constructor(private readonly maxBytes: number) {
    this.buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, 1 << 16));
  }

  /** The file's bytes, or null when it has grown past maxBytes since it was measured. */
  read(path: string): Buffer | null {
    const fd = fs.openSync(path, OPEN_FLAGS);
    try {
      let length = 0;
      for (;;) {
        if (length === this.buffer.length) {
          if (length > this.maxBytes) return null;
          this.grow();
        }
        const n = fs.readSync(fd, this.buffer, length, this.buffer.length - length, null);
        if (n === 0) break;
        length += n;
      }
      return length > this.maxBytes ? null : this.buffer.subarray(0, length);
    } finally {
      fs.closeSync(fd);
    }
  }

  private grow(): void {
    const bigger = Buffer.allocUnsafe(Math.min(this.buffer.length * 2, this.maxBytes + 1));
    this.buffer.copy(bigger);
    this.buffer = bigger;
  }
}

/** File bytes as text; a UTF-8 byte order mark is dropped (it is not part of the code). */
export function decodeUtf8(bytes: Buffer): string {
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return bytes.toString("utf8", start);
}
