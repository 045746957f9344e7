// One training run at a time per data folder, whoever starts it: two VS Code windows on one
// workspace, the CLI beside the editor. The lock is a file holding the pid of the training
// worker that runs; the orchestrator takes it before anything is written and gives it back at
// the end. A worker killed with SIGKILL cannot give it back, so a lock whose process is gone is
// stale and the next run takes it over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { mkdirPrivate, PRIVATE_FILE_MODE } from "../fs/private-files";
import { processAlive } from "../process/process-alive";

export const RUN_LOCK_FILE = "run.lock";

export class RunLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly heldBy: number,
  ) {
    super(`RepoTune is already training on ${dataDir} (process ${heldBy}, in another VS Code window or a terminal); one run at a time per data folder`);
    this.name = "RunLockedError";
  }
}

function readHolder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export class RunLock {
  private constructor(private readonly file: string) {}

  /** Takes the lock for `pid`, or throws RunLockedError naming the live process that holds it. */
  static acquire(dataDir: string, pid: number = process.pid): RunLock {
    mkdirPrivate(dataDir); // the first thing a run writes: the data folder is the user's alone
    const file = join(dataDir, RUN_LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // O_EXCL: of two processes creating it at once, exactly one succeeds.
        const fd = openSync(file, "wx", PRIVATE_FILE_MODE);
        try {
          writeSync(fd, String(pid));
        } finally {
          closeSync(fd);
        }
        return new RunLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        const holder = readHolder(file);
        // No pid yet: its creator is between open and write; look again rather than take it.
        if (holder === undefined) continue;
        if (processAlive(holder)) throw new RunLockedError(dataDir, holder);
        rmSync(file, { force: true }); // stale: its process is gone
      }
    }
    const holder = readHolder(file);
    throw holder ? new RunLockedError(dataDir, holder) : new Error(`could not take the run lock ${file}`);
  }

  /** The live process training on this data folder, if any (for a message before starting one). */
  static holder(dataDir: string): number | undefined {
    const pid = readHolder(join(dataDir, RUN_LOCK_FILE));
    return pid !== undefined && processAlive(pid) ? pid : undefined;
  }

  release(): void {
    rmSync(this.file, { force: true });
  }
}
