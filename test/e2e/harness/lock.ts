// A lock between e2e test processes (and between engineers sharing this checkout), so two
// runs never install code-server or package the .vsix into the same folder at once.
// mkdir is atomic; the holder's pid in the folder lets a later run break a lock whose
// holder died.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CACHE_DIR } from "./paths";

export async function withLock<T>(name: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const dir = join(CACHE_DIR, "locks", `${name}.lock`);
  mkdirSync(join(CACHE_DIR, "locks"), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, "pid"), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (holderIsDead(dir)) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for the lock ${dir}; remove it if no e2e run is going on`, { cause: err });
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function holderIsDead(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, "pid"), "utf8"));
  } catch {
    // No pid yet: just created by its holder (alive), unless that was long ago.
    try {
      return Date.now() - statSync(dir).mtimeMs > 30_000;
    } catch {
      return false;
    }
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}
