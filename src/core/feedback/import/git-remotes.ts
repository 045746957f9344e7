// Which repository a log's `git_url` names, compared with this repository's remotes: the same
// repository is written many ways (git@host:o/r.git, https://host/o/r, ssh://git@host:22/o/r),
// and a URL may carry a user or a token, which is dropped here and never stored.
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

/** host/path, lower case, without user, port, scheme or `.git`: equal for the same repository. */
export function normalizeGitUrl(url: string): string {
  let u = url.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/:]+)(?::\d+)?\/?(.*)$/i.exec(u);
  const scp = /^(?:[^@/]+@)?([^/:]+):(?!\/)(.*)$/.exec(u);
  if (scheme) u = `${scheme[1]}/${scheme[2]}`;
  else if (scp) u = `${scp[1]}/${scp[2]}`;
  return u.replace(/\/+$/, "").replace(/\.git$/i, "").replace(/\/+$/, "").toLowerCase();
}

/** The git directory of `repo`: `.git`, or where a worktree's or submodule's `.git` file points. */
function gitDir(repo: string): string | null {
  const dotGit = join(repo, ".git");
  if (!existsSync(dotGit)) return null;
  if (statSync(dotGit).isDirectory()) return dotGit;
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, "utf8"));
  if (!m) return null;
  const dir = isAbsolute(m[1]!) ? m[1]! : resolve(repo, m[1]!);
  // A worktree's own folder holds no config; `commondir` names the main one that does.
  const common = join(dir, "commondir");
  return existsSync(common) ? resolve(dir, readFileSync(common, "utf8").trim()) : dir;
}

/** The URLs of `repo`'s remotes, normalized; none when it is not a git repository or has no remote. */
export function gitRemotes(repo: string): string[] {
  const dir = gitDir(resolve(repo));
  const config = dir ? join(dir, "config") : null;
  if (!config || !existsSync(config)) return [];
  const urls: string[] = [];
  let inRemote = false;
  for (const line of readFileSync(config, "utf8").split(/\r?\n/)) {
    const section = /^\s*\[\s*([^\s\]"]+)/.exec(line);
    if (section) inRemote = section[1]!.toLowerCase() === "remote";
    const url = inRemote ? /^\s*(?:push)?url\s*=\s*(.+?)\s*$/i.exec(line) : null;
    if (url) urls.push(normalizeGitUrl(url[1]!.replace(/^"(.*)"$/, "$1")));
  }
  return [...new Set(urls)];
}
