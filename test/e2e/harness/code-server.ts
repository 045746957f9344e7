// Starts code-server (VS Code 1.139's server and web workbench) exactly as
// notes/vscode-e2e.md describes: Node 24, its own process group, every folder it writes
// (profile, extensions, XDG config/data, temp files and sockets) inside the session folder.
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { exec, killGroup, tail } from "./exec";
import type { Tools } from "./install";
import { freePort } from "./port";
import { trackGroup, untrackGroup } from "./processes";

export interface SessionFolders {
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  env: NodeJS.ProcessEnv;
}

export interface CodeServer {
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  logFile: string;
  /** Stops code-server and everything it started; safe to call twice. */
  stop(): Promise<void>;
}

/** The folders and environment of one code-server session under `dir`. */
export function sessionFolders(dir: string, tools: Tools): SessionFolders {
  const sub = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true, mode: 0o700 });
    return path;
  };
  // Short names: VS Code puts IPC sockets into TMPDIR/XDG_RUNTIME_DIR, and a socket path
  // must stay under 108 bytes.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [dirname(tools.node), process.env.PATH ?? ""].join(delimiter),
    HOME: sub("home"),
    XDG_CONFIG_HOME: sub("xdg/config"),
    XDG_DATA_HOME: sub("xdg/data"),
    XDG_CACHE_HOME: sub("xdg/cache"),
    XDG_STATE_HOME: sub("xdg/state"),
    XDG_RUNTIME_DIR: sub("t"),
    TMPDIR: sub("t"),
  };
  // A VS Code terminal's variables would make code-server talk to that VS Code instead.
  for (const key of Object.keys(env)) if (key.startsWith("VSCODE_")) delete env[key];
  return { userDataDir: sub("user-data"), extensionsDir: sub("extensions"), logFile: join(dir, "code-server.log"), env };
}

function baseArgs(tools: Tools, folders: SessionFolders): string[] {
  return [tools.codeServer, "--user-data-dir", folders.userDataDir, "--extensions-dir", folders.extensionsDir];
}

export async function installExtension(tools: Tools, folders: SessionFolders, vsix: string): Promise<void> {
  await exec(tools.node, [...baseArgs(tools, folders), "--force", "--install-extension", vsix], {
    cwd: dirname(folders.userDataDir),
    env: folders.env,
    logFile: folders.logFile,
    timeoutMs: 3 * 60_000,
  });
}

export interface StartOptions {
  /** `--vscode-option enable-smoke-test-driver`: lets a page run extension tests and report their exit. */
  smokeTestDriver?: boolean;
}

export async function startCodeServer(tools: Tools, folders: SessionFolders, options: StartOptions = {}): Promise<CodeServer> {
  const port = await freePort();
  const args = [
    ...baseArgs(tools, folders),
    "--bind-addr",
    `127.0.0.1:${port}`,
    "--auth",
    "none",
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    ...(options.smokeTestDriver ? ["--vscode-option", "enable-smoke-test-driver"] : []),
  ];
  const fd = openSync(folders.logFile, "a");
  // detached: setsid(), so code-server leads a new process group that `kill -- -PGID` ends whole.
  const child = spawn(tools.node, args, { cwd: dirname(folders.userDataDir), env: folders.env, stdio: ["ignore", fd, fd], detached: true });
  closeSync(fd);
  const pgid = child.pid;
  if (pgid === undefined) throw new Error(`could not start code-server: ${tools.codeServer}`);
  trackGroup(pgid);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = `exited with ${code ?? signal}`;
      resolve();
    }),
  );

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup(pgid, "SIGTERM");
    await Promise.race([exit, sleep(5000)]);
    // Whatever ignored SIGTERM (or outlived the leader) in the group goes now.
    killGroup(pgid, "SIGKILL");
    untrackGroup(pgid);
  };

  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(origin, 60_000, () => exited);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}; the end of ${folders.logFile}:\n${tail(folders.logFile, 30)}`, { cause: err });
  }
  return { port, origin, logFile: folders.logFile, stop };
}

async function waitForHealth(origin: string, timeoutMs: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const gone = exited();
    if (gone) throw new Error(`code-server ${gone} before answering /healthz`);
    try {
      const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`code-server did not answer ${origin}/healthz within ${timeoutMs / 1000} s`);
}
