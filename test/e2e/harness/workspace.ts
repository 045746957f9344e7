// The folder VS Code opens: a copy of test/fixtures/workspace in the session folder, made
// a git repository (RepoTune reads files through `git ls-files`), so tests may change it freely.
import { cpSync } from "node:fs";
import { join } from "node:path";
import { exec } from "./exec";
import { FIXTURE_WORKSPACE } from "./paths";

/** More sources for the workspace: `from` (a folder or a file) is copied to `to`, relative to it. */
export interface WorkspaceExtra {
  from: string;
  to: string;
}

export async function makeWorkspace(dir: string, env: NodeJS.ProcessEnv, extras: readonly WorkspaceExtra[] = []): Promise<string> {
  const ws = join(dir, "workspace");
  cpSync(FIXTURE_WORKSPACE, ws, { recursive: true });
  for (const extra of extras) cpSync(extra.from, join(ws, extra.to), { recursive: true });
  const git = (...args: string[]) => exec("git", args, { cwd: ws, env, logFile: join(dir, "git.log"), timeoutMs: 30_000 });
  await git("init", "-q", "-b", "main");
  await git("add", "-A");
  // Identity given inline: HOME is the session's, with no ~/.gitconfig.
  await git("-c", "user.name=RepoTune e2e", "-c", "user.email=e2e@repotune.invalid", "commit", "-q", "-m", "fixture");
  return ws;
}
