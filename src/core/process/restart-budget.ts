// How often a crashed helper process (the completion server) is started again: after a pause
// that grows with each crash, and at most `maxPerWindow` times in a sliding window. A server
// that keeps crashing (a model llama.cpp cannot run, a broken GPU driver) then stays stopped
// with a reason the user can read, instead of burning a core restarting in a loop.

export interface RestartBudgetOptions {
  /** Restarts allowed within one window (default 3). */
  maxPerWindow?: number;
  /** The window, in ms (default one minute). */
  windowMs?: number;
  /** The pause before the 1st, 2nd, 3rd... restart in a window (the last repeats). */
  backoffMs?: readonly number[];
}

export type CrashVerdict = { restart: true; afterMs: number } | { restart: false; crashes: number; windowMs: number };

export class RestartBudget {
  private readonly crashes: number[] = [];
  private readonly max: number;
  private readonly windowMs: number;
  private readonly backoff: readonly number[];

  constructor(options: RestartBudgetOptions = {}) {
    this.max = options.maxPerWindow ?? 3;
    this.windowMs = options.windowMs ?? 60_000;
    this.backoff = options.backoffMs?.length ? options.backoffMs : [500, 2_000, 8_000];
  }

  /** Records a crash at `now` and says whether, and after how long, to start again. */
  crashed(now: number = Date.now()): CrashVerdict {
    while (this.crashes.length && this.crashes[0]! <= now - this.windowMs) this.crashes.shift();
    this.crashes.push(now);
    const n = this.crashes.length;
    if (n > this.max) return { restart: false, crashes: n, windowMs: this.windowMs };
    return { restart: true, afterMs: this.backoff[Math.min(n, this.backoff.length) - 1]! };
  }

  /** Forget the crashes (the user asked for a fresh start). */
  reset(): void {
    this.crashes.length = 0;
  }
}
