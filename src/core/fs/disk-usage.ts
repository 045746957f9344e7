// What a full disk holds of ours: free bytes on the disk of a folder, and the size of the data
// folder's parts, so a "disk full" message can say where to make room and what RepoTune itself
// could give back (old runs' model copies, stage checkpoints that are rebuilt when needed).
import { lstatSync, readdirSync, statfsSync } from "node:fs";
import { join } from "node:path";

/** Free bytes for this user on the disk holding `dir`, or null when the system cannot say. */
export function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** Bytes under `path`, not following links; stops counting after `maxEntries` (a bound, not a full du). */
export function folderBytes(path: string, maxEntries = 100_000): number {
  let total = 0;
  let seen = 0;
  const walk = (p: string): void => {
    if (++seen > maxEntries) return;
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(p);
      } catch {
        return;
      }
      for (const n of names) walk(join(p, n));
    } else total += st.size;
  };
  walk(path);
  return total;
}

export function formatSize(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(0)} MB`;
  return `${Math.max(0, Math.round(bytes / 1e3))} kB`;
}
