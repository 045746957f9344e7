// Where the e2e harness keeps things. It writes only under `.cache/e2e/` (tools reused between
// runs) and `test-output/e2e/<run>/` (everything one run creates), both git-ignored.
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Pinned: code-server releases change the Node version they require (notes/vscode-e2e.md). */
export const CODE_SERVER_VERSION = "4.139.1";
export const NODE24_VERSION = "24.21.0";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const CACHE_DIR = join(REPO_ROOT, ".cache", "e2e");
export const OUTPUT_DIR = join(REPO_ROOT, "test-output", "e2e");
export const FIXTURE_WORKSPACE = join(REPO_ROOT, "test", "fixtures", "workspace");

/** Run folders kept besides the current one (a few MB each: logs, profiles, screenshots). */
const KEEP_RUNS = 5;
/** A run folder this young may belong to a run still going on (another engineer's): never pruned. */
const PRUNE_AFTER_MS = 60 * 60_000;

/**
 * The folder of this test run. Every e2e test file runs in its own process under the one
 * `node --test` parent, so the parent's pid (and the day) names the run they share.
 */
export function runDir(): string {
  const day = new Date().toISOString().slice(0, 10);
  const dir = join(OUTPUT_DIR, `${day}-${process.ppid}`);
  if (!safeIsDir(dir)) pruneOldRuns();
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A fresh sub-folder of the run for one server/browser session (`host`, `ui`, ...). */
export function sessionDir(name: string): string {
  const dir = join(runDir(), name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function pruneOldRuns(): void {
  let runs: string[];
  try {
    runs = readdirSync(OUTPUT_DIR).filter((n) => safeIsDir(join(OUTPUT_DIR, n)));
  } catch {
    return;
  }
  const mtime = (name: string) => statSync(join(OUTPUT_DIR, name)).mtimeMs;
  runs.sort((a, b) => mtime(a) - mtime(b));
  for (const old of runs.slice(0, Math.max(0, runs.length - KEEP_RUNS))) {
    if (Date.now() - mtime(old) > PRUNE_AFTER_MS) rmSync(join(OUTPUT_DIR, old), { recursive: true, force: true });
  }
}

function safeIsDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
