// Every long-lived process the harness starts (code-server and what it forks) runs in its
// own process group, and every group is stopped whatever happens: by the test's after
// hook, or, if the test process itself ends early (a crash, a timeout, Ctrl-C), here.
import { killGroup } from "./exec";

const live = new Set<number>();
let hooked = false;

export function trackGroup(pgid: number): void {
  live.add(pgid);
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const pid of live) killGroup(pid, "SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      for (const pid of live) killGroup(pid, "SIGKILL");
      process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
    });
  }
}

export function untrackGroup(pgid: number): void {
  live.delete(pgid);
}
