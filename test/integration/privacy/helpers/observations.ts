// Reading what the observers saw: the JSON lines of test/helpers/net-observer.cjs (every network
// attempt of Node code, and every child process) and strace's connect/sendto/sendmsg lines
// (every socket address any code of the process tree used, native code and git included).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";

export const OBSERVER = join(__dirname, "..", "..", "..", "helpers", "net-observer.cjs");

export interface Attempt {
  pid: number;
  kind: string;
  target: string;
  stack: string[];
}

export function readAttempts(file: string): Attempt[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Attempt);
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1" || /^::ffff:127\./.test(h);
  return false;
}

// git subcommands that talk to a remote; every other one reads and writes the local repository.
const GIT_NETWORK = new Set(["fetch", "pull", "push", "clone", "ls-remote", "remote", "submodule", "fetch-pack", "send-pack", "archive", "request-pull", "http-fetch", "http-push"]);

/** Whether an attempt stays on this machine; "loaded" records are not attempts. */
export function isLocal(a: Attempt): boolean {
  const t = a.target;
  if (a.kind === "loaded") return true;
  if (a.kind === "spawn") {
    const [program = "", ...args] = t.split(" ");
    if (program === process.execPath || /(^|\/)node$/.test(program)) return true; // inherits the observer
    if (/(^|\/)git$/.test(program)) return !args.some((arg) => GIT_NETWORK.has(arg));
    return false;
  }
  if (t.startsWith("ipc:")) return true;
  const hostPort = /^(?:tcp|udp|dns):(.*?)(?::\d*)?$/.exec(t);
  if (hostPort) return isLoopbackHost(hostPort[1]!);
  try {
    return isLoopbackHost(new URL(t).hostname);
  } catch {
    return false;
  }
}

export const outbound = (attempts: Attempt[]): string[] => attempts.filter((a) => !isLocal(a)).map((a) => `${a.kind} ${a.target}\n    ${a.stack.join("\n    ")}`);

/** A program for fork({ execPath }) that runs Node under strace; undefined where strace cannot run (not installed, ptrace denied). */
export function straceNode(dir: string, log: string): string | undefined {
  const probe = spawnSync("strace", ["-f", "-qq", "--seccomp-bpf", "-o", "/dev/null", "true"], { stdio: "ignore" });
  if (probe.status !== 0) return undefined;
  const wrapper = join(dir, "strace-node");
  // -f: threads and children too; only the calls that carry a socket address are stopped at.
  writeFileSync(wrapper, `#!/bin/sh\nexec strace -f -qq --seccomp-bpf -e trace=connect,sendto,sendmsg -o ${JSON.stringify(log)} ${JSON.stringify(process.execPath)} "$@"\n`, { mode: 0o755 });
  return wrapper;
}

/** The internet addresses strace saw used that are not loopback ("connect 10.0.0.1"). Unix and netlink sockets are local. */
export function straceOutbound(log: string): string[] {
  if (!existsSync(log)) return [];
  const out: string[] = [];
  for (const line of readFileSync(log, "utf8").split("\n")) {
    const call = /^\d+\s+(connect|sendto|sendmsg)\(/.exec(line)?.[1];
    if (!call) continue;
    for (const m of line.matchAll(/sa_family=AF_INET6?,[^}]*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")/g)) {
      const address = m[1] ?? m[2]!;
      if (!isLoopbackHost(address)) out.push(`${call} ${address}`);
    }
  }
  return out;
}
