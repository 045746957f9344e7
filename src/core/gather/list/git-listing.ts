// The files of a git work tree, as git sees them: tracked files plus untracked files that no
// .gitignore excludes (`git ls-files --cached --others --exclude-standard`), through simple-git.
// Submodules (mode 160000) and untracked nested repositories are reported, not entered.
import { simpleGit, type SimpleGit } from "simple-git";
import type { ExcludedFile } from "../../store/dataset-manifest";

export interface Listing {
  source: "git" | "folder";
  /** Repository-relative posix paths to examine, sorted, each once. */
  paths: string[];
  /** Entries dropped while listing (submodules, nested repositories). */
  excluded: ExcludedFile[];
  head: string | null;
  branch: string | null;
  notes: string[];
}

/** A simple-git instance for `dir` with output that parses the same on every machine. */
export function gitFor(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, config: ["core.quotePath=false", "color.ui=false"], trimmed: false });
}

/** True when `dir` is inside a git work tree (a folder inside a repository counts). */
export async function isGitWorkTree(dir: string): Promise<boolean> {
  try {
    return (await gitFor(dir).raw(["rev-parse", "--is-inside-work-tree"])).trim() === "true";
  } catch {
    return false;
  }
}

export async function listGitFiles(dir: string, skipDirs: readonly string[]): Promise<Listing> {
  const git = gitFor(dir);
  const paths = new Set<string>();
  const excluded: ExcludedFile[] = [];
  // --stage gives each entry's mode: 160000 is a submodule (a commit, not a file).
  const staged = await git.raw(["ls-files", "-z", "--cached", "--stage"]);
  for (const entry of staged.split("\0")) {
    if (entry === "") continue;
    const tab = entry.indexOf("\t");
    const mode = entry.slice(0, entry.indexOf(" "));
    const path = entry.slice(tab + 1);
    if (isSkipped(path, skipDirs)) continue;
    if (mode === "160000") excluded.push({ path, reason: "submodule", detail: "git submodule" });
    else paths.add(path); // a conflicted file has several stages: listed once
  }
  const untracked = await git.raw(["ls-files", "-z", "--others", "--exclude-standard"]);
  for (const path of untracked.split("\0")) {
    if (path === "" || isSkipped(path, skipDirs)) continue;
    // git lists an untracked repository inside this one as a folder ("nested/").
    if (path.endsWith("/")) excluded.push({ path: path.slice(0, -1), reason: "submodule", detail: "nested git repository" });
    else paths.add(path);
  }
  return { source: "git", paths: [...paths].sort(), excluded, head: await gitHead(git), branch: await gitBranch(git), notes: [] };
}

function isSkipped(path: string, skipDirs: readonly string[]): boolean {
  return skipDirs.some((dir) => path === dir || path.startsWith(`${dir}/`));
}

/** The commit checked out, or null in a repository without commits. */
export async function gitHead(git: SimpleGit): Promise<string | null> {
  try {
    return (await git.raw(["rev-parse", "--verify", "-q", "HEAD"])).trim() || null;
  } catch {
    return null;
  }
}

async function gitBranch(git: SimpleGit): Promise<string | null> {
  try {
    return (await git.raw(["symbolic-ref", "--short", "-q", "HEAD"])).trim() || null;
  } catch {
    return null; // detached HEAD
  }
}
