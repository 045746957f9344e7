// Writes a file so that readers (and a crash or power loss at any moment) see either the old
// contents or the new, never a torn mix: the bytes go to a temporary file in the same folder
// (a rename is only atomic within one file system), are fsynced, the temporary file is renamed
// over the target, and the folder is fsynced so the rename itself is durable.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { basename, dirname, join } from "node:path";
import { PRIVATE_FILE_MODE } from "./private-files";

/** Writes the contents through an open file descriptor (for large files written in pieces). */
export type FdWriter = (fd: number) => void;

function tempPathFor(path: string): string {
  // pid + random: two processes (two VS Code windows) saving the same file never share a temp file.
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
}

/** Writes all of `data` at the current position (fs.writeSync may write less than asked). */
export function writeAllSync(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done);
}

/** fsyncs a folder so that a rename or a new entry in it survives a crash. */
export function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch (err) {
    // Windows cannot open or fsync a folder (EISDIR/EPERM); NTFS journals the rename itself.
    const code = (err as NodeJS.ErrnoException).code;
    if (process.platform !== "win32" && code !== "EISDIR" && code !== "EINVAL") throw err;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Atomically replaces `path` with `data` (a string is written as UTF-8), or with what `data`
 * writes to the descriptor it is given. On any error the temporary file is removed and the
 * old file, if any, is left untouched.
 */
// 0600 by default: what goes through here is the user's data (private-files.ts).
export function writeFileAtomicSync(path: string, data: string | Uint8Array | FdWriter, mode = PRIVATE_FILE_MODE): void {
  const tmp = tempPathFor(path);
  let fd: number | undefined = fs.openSync(tmp, "wx", mode);
  try {
    if (typeof data === "function") data(fd);
    else writeAllSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDirSync(dirname(path));
}

/** The same as writeFileAtomicSync, for callers on an event loop that must stay responsive. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = PRIVATE_FILE_MODE): Promise<void> {
  const tmp = tempPathFor(path);
  const handle = await fs.promises.open(tmp, "wx", mode);
  let closed = false;
  try {
    await handle.writeFile(typeof data === "string" ? Buffer.from(data, "utf8") : data);
    await handle.sync();
    await handle.close();
    closed = true;
    await fs.promises.rename(tmp, path);
  } catch (err) {
    if (!closed) await handle.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  fsyncDirSync(dirname(path));
}
