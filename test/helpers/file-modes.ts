// What issue 16 item 4 asks of every file RepoTune writes: 0600 files, 0700 folders.
import { lstatSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

export const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/** Every entry under `dir` (itself included) whose mode is not 0600 (files) / 0700 (folders), as "path 0644". */
export function notPrivate(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    const s = lstatSync(path);
    if (s.isSymbolicLink()) return; // runs/latest: a link's own mode means nothing
    const want = s.isDirectory() ? 0o700 : 0o600;
    if ((s.mode & 0o777) !== want) out.push(`${relative(dir, path) || "."} ${octal(s.mode)}`);
    if (s.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return out;
}
