// Runs one tool to completion with its output in a log file, so a failure reports the
// command, its exit and the end of what it printed instead of a bare exit code.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

export interface ExecOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Everything the command prints goes here (appended). */
  logFile: string;
  timeoutMs: number;
}

export async function exec(command: string, args: readonly string[], options: ExecOptions): Promise<void> {
  const fd = openSync(options.logFile, "a");
  try {
    // detached: its own process group, so a timeout ends the tool and everything it started.
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", fd, fd], detached: true });
    const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }>((resolve, reject) => {
      const timer = setTimeout(() => {
        killGroup(child.pid, "SIGKILL");
        resolve({ code: null, signal: "SIGKILL", timedOut: true });
      }, options.timeoutMs);
      child.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, timedOut: false });
      });
    });
    if (outcome.code !== 0) {
      const why = outcome.timedOut ? `timed out after ${options.timeoutMs / 1000} s` : `exited with ${outcome.code ?? outcome.signal}`;
      throw new Error(`${command} ${args.join(" ")} ${why}; the end of ${options.logFile}:\n${tail(options.logFile, 40)}`);
    }
  } finally {
    closeSync(fd);
  }
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

export function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no output)";
  }
}
