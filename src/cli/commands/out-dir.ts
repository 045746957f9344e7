import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";

/** REPO/.repotune, with a .gitignore of `*` so nothing RepoTune writes is ever committed. */
export function defaultOutDir(repo: string): string {
  const out = join(repo, ".repotune");
  mkdirSync(out, { recursive: true });
  const ignore = join(out, ".gitignore");
  if (!existsSync(ignore)) writeFileSync(ignore, "*\n");
  return out;
}
