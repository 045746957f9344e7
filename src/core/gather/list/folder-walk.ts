// The files of a folder that is not a git repository: walked depth first, honouring every
// .gitignore on the way (a folder ignored is never entered), never following a symbolic link
// (so a link out of the folder or a link loop cannot be walked into), and never entering a
// nested repository (reported instead, like a submodule).
import * as fs from "node:fs";
import { join } from "node:path";
import type { ExcludedFile } from "../../store/dataset-manifest";
import { GitIgnore } from "./gitignore";
import type { Listing } from "./git-listing";

interface Scope {
  /** Repository-relative folder of the .gitignore ("" for the root). */
  base: string;
  rules: GitIgnore;
}

export function walkFolder(root: string, skipDirs: readonly string[]): Listing {
  const paths: string[] = [];
  const excluded: ExcludedFile[] = [];
  const skip = new Set(skipDirs);
  const walk = (dir: string, scopes: Scope[]): void => {
    const abs = join(root, dir);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      excluded.push({ path: dir || ".", reason: "unreadable", detail: (err as NodeJS.ErrnoException).code ?? "cannot list" });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const ignoreFile = entries.find((e) => e.name === ".gitignore" && e.isFile());
    const here = ignoreFile ? [...scopes, { base: dir, rules: new GitIgnore(readText(join(abs, ".gitignore"))) }] : scopes;
    for (const entry of entries) {
      if (entry.name === ".git") continue;
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      const isDir = entry.isDirectory(); // false for a symlink to a folder: it is never entered
      if (isIgnored(here, path, isDir) || skip.has(path)) continue;
      if (isDir) {
        if (fs.existsSync(join(root, path, ".git"))) excluded.push({ path, reason: "submodule", detail: "nested git repository" });
        else walk(path, here);
      } else paths.push(path); // files, symlinks and oddities: classified later with lstat
    }
  };
  walk("", []);
  return {
    source: "folder",
    paths,
    excluded,
    head: null,
    branch: null,
    notes: ["not a git repository: the folder was walked, honouring its .gitignore files; no commit pairs"],
  };
}

function isIgnored(scopes: Scope[], path: string, isDir: boolean): boolean {
  let ignored = false;
  for (const scope of scopes) {
    const relative = scope.base ? path.slice(scope.base.length + 1) : path;
    const verdict = scope.rules.verdict(relative, isDir);
    if (verdict !== undefined) ignored = verdict;
  }
  return ignored;
}

function readText(path: string): string {
  try {
    return fs.readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
