// The folder VS Code opens: a copy of test/fixtures/workspace in the session folder, made
// a git repository (RepoTune reads files through `git ls-files`), so tests may change it freely.
import { cpSync } from "node:fs";
import { join } from "node:path";
import { exec } from "./exec";
import { FIXTURE_WORKSPACE } from "./paths";

export async function makeWorkspace(dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const ws = join(dir, "workspace");
  cpSync(FIXTURE_WORKSPACE, ws, { recursive: true });
  const git = (...args: string[]) => exec("git", args, { cwd: ws, env, logFile: join(dir, "git.log"), timeoutMs: 30_000 });
  await git("init", "-q", "-b", "main");
  await git("add", "-A");
  // Identity given inline: HOME is the session's, with no ~/.gitconfig.
  await git("-c", "user.name=RepoTune e2e", "-c", "user.email=e2e@repotune.invalid", "commit", "-q", "-m", "fixture");
  return ws;
}
