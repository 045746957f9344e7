// One run at a time per workspace folder, also across VS Code windows: a lock file with
// the owner's pid, taken over when that process is gone.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { processAlive } from "../../core/process/process-alive";


export class RunLock {
  private constructor(private readonly file: string) {}

  /** Returns the lock, or the pid of the live process that holds it. */
  static acquire(dataDir: string, pid: number): RunLock | { heldBy: number } {
    const file = join(dataDir, "run.lock");
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, "wx");
        writeSync(fd, String(pid));
        closeSync(fd);
        return new RunLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        const holder = Number(readFileSync(file, "utf8").trim());
        if (holder && processAlive(holder)) return { heldBy: holder };
        rmSync(file, { force: true }); // stale: its process is gone
      }
    }
    throw new Error(`could not take the run lock ${file}`);
  }

  release(): void {
    rmSync(this.file, { force: true });
  }
}
