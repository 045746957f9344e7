// checkpoint.json: the size and SHA-256 of every file in a checkpoint folder. Sizes catch a
// truncated file with a precise message; the hash catches any other damage (a bit flip, a file
// overwritten by another run) that the formats themselves cannot see.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { join } from "node:path";
import { CheckpointError } from "./errors";
import { MANIFEST_FILE } from "./layout";

export interface FileEntry {
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: "repotune-checkpoint";
  version: 1;
  step: number;
  created: string;
  files: Record<string, FileEntry>;
}

export function hashFile(path: string): string {
  const hash = createHash("sha256");
  const fd = fs.openSync(path, "r");
  try {
    const chunk = Buffer.alloc(8 << 20);
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}

export function describeFile(path: string): FileEntry {
  return { bytes: fs.statSync(path).size, sha256: hashFile(path) };
}

/** Reads and validates a folder's manifest; a missing one means the save never finished. */
export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new CheckpointError(path, "missing: the checkpoint is incomplete (its save did not finish)");
    throw new CheckpointError(path, `cannot read (${(err as Error).message})`);
  }
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(path, `not valid JSON (${(err as Error).message})`);
  }
  const o = m as Partial<Manifest> | null;
  if (!o || o.format !== "repotune-checkpoint" || o.version !== 1 || !Number.isSafeInteger(o.step) || typeof o.files !== "object" || o.files === null) {
    throw new CheckpointError(path, "not a RepoTune checkpoint manifest (format, version, step or files missing)");
  }
  for (const [name, e] of Object.entries(o.files)) {
    if (!e || !Number.isSafeInteger(e.bytes) || typeof e.sha256 !== "string" || name.includes("/") || name.includes("\\")) {
      throw new CheckpointError(path, `entry for "${name}" is malformed`);
    }
  }
  return o as Manifest;
}

/** Checks that a file exists with the size the manifest records. */
export function checkSize(dir: string, name: string, entry: FileEntry): void {
  const path = join(dir, name);
  let size: number;
  try {
    size = fs.statSync(path).size;
  } catch {
    throw new CheckpointError(path, "missing (the manifest lists it)");
  }
  if (size !== entry.bytes) {
    throw new CheckpointError(path, `${size} bytes, but ${entry.bytes} were saved: ${size < entry.bytes ? "truncated" : "the file was changed or appended to"}`);
  }
}

/** Checks a file's SHA-256 against the manifest. */
export function checkHash(dir: string, name: string, entry: FileEntry): void {
  const path = join(dir, name);
  const actual = hashFile(path);
  if (actual !== entry.sha256) throw new CheckpointError(path, `corrupt: its SHA-256 is ${actual.slice(0, 12)}..., the saved file's was ${entry.sha256.slice(0, 12)}...`);
}
