import { writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateRoot, PRIVATE_FILE_MODE } from "../../core/fs/private-files";

/** REPO/.repotune, with a .gitignore of `*` so nothing RepoTune writes is ever committed. */
export function defaultOutDir(repo: string): string {
  const out = join(repo, ".repotune");
  ensurePrivateRoot(out); // 0700, also when an older version made it 0755
  const ignore = join(out, ".gitignore");
  if (!existsSync(ignore)) writeFileSync(ignore, "*\n", { mode: PRIVATE_FILE_MODE });
  return out;
}
