// What a listed path is on disk, without following links: a regular file (with its size), or
// a reason to leave it out. Git lists a symbolic link as a file; reading it would read its
// target, which may lie outside the repository or loop forever, so links are never read.
import * as fs from "node:fs";
import { join, relative, isAbsolute } from "node:path";
import type { ExclusionReason } from "../../store/dataset-manifest";

export type EntryCheck = { ok: true; size: number } | { ok: false; reason: ExclusionReason; detail: string };

export function inspectEntry(root: string, realRoot: string, path: string): EntryCheck {
  const abs = join(root, path);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: false, reason: "missing", detail: "tracked but deleted from the working tree" };
    return { ok: false, reason: "unreadable", detail: code ?? "cannot stat" };
  }
  if (stat.isSymbolicLink()) return classifyLink(abs, realRoot);
  if (!stat.isFile()) return { ok: false, reason: "not-a-regular-file", detail: stat.isDirectory() ? "a folder" : "a device, socket or pipe" };
  return { ok: true, size: stat.size };
}

function classifyLink(abs: string, realRoot: string): EntryCheck {
  let target: string;
  try {
    target = fs.realpathSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ELOOP") return { ok: false, reason: "symlink-loop", detail: "the link resolves to itself" };
    return { ok: false, reason: "symlink", detail: `dangling link (${code ?? "unresolvable"})` };
  }
  const rel = relative(realRoot, target);
  if (rel === "") return { ok: false, reason: "symlink-loop", detail: "points at the repository itself" };
  if (rel.startsWith("..") || isAbsolute(rel)) return { ok: false, reason: "symlink-outside-repo", detail: "points outside the repository" };
  return { ok: false, reason: "symlink", detail: `link to ${rel.split("\\").join("/")}, gathered under its own path` };
}
