// A small real repository for pipeline tests: the sources of an installed npm package
// (commander's lib, code no one here wrote), committed into a fresh git repository.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function makeFixtureRepo(prefix = "repotune-pipe-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const lib = join(__dirname, "..", "..", "..", "node_modules", "commander", "lib");
  cpSync(lib, join(dir, "lib"), { recursive: true });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
  git("init", "-q");
  git("add", "-A");
  git("-c", "user.email=test@example.invalid", "-c", "user.name=test", "commit", "-qm", "import commander's lib");
  return dir;
}
