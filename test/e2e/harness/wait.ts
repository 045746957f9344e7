// Polling for something the workbench, the extension host or a child process does in its
// own time (a file written, a toast shown): each wait says what it waited for when it fails.
import { setTimeout as sleep } from "node:timers/promises";

/** Calls `probe` until it returns a value (not undefined, null or false); throws after `timeoutMs`. */
export async function waitUntil<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs: number, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${why}`);
    }
    await sleep(intervalMs);
  }
}
