// The hashes a download is checked against, computed as bytes arrive (a multi-gigabyte file is
// never read twice): sha256 always (the hub's X-Linked-Etag for LFS files, kept in the sidecar),
// and git's blob sha1 when the hub published only that (the ETag of a small non-LFS file).
import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";

export class FileHash {
  private readonly sha256 = createHash("sha256");
  private readonly gitSha1: Hash | undefined;

  /** `gitBlobSize`: the file's full size, when git's blob sha1 ("blob {size}\0" + bytes) is wanted. */
  constructor(gitBlobSize?: number) {
    if (gitBlobSize !== undefined) this.gitSha1 = createHash("sha1").update(`blob ${gitBlobSize}\0`);
  }

  update(chunk: Uint8Array): void {
    this.sha256.update(chunk);
    this.gitSha1?.update(chunk);
  }

  /** Hashes the first `bytes` of an existing file (the part being resumed), 4 MiB at a time. */
  updateFromFile(path: string, bytes: number): void {
    if (bytes === 0) return;
    const fd = openSync(path, "r");
    try {
      const buf = Buffer.alloc(Math.min(bytes, 4 << 20));
      let done = 0;
      while (done < bytes) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, bytes - done), done);
        if (n === 0) break;
        this.update(buf.subarray(0, n));
        done += n;
      }
    } finally {
      closeSync(fd);
    }
  }

  digest(): { sha256: string; gitSha1?: string } {
    return { sha256: this.sha256.digest("hex"), ...(this.gitSha1 ? { gitSha1: this.gitSha1.digest("hex") } : {}) };
  }
}

/** An ETag value as a bare lowercase hash: drops a weak `W/` prefix and the quotes. */
export function etagHash(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const bare = v.trim().replace(/^W\//i, "").replace(/^"|"$/g, "").toLowerCase();
  return /^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(bare) ? bare : undefined;
}
