// The host side of the training worker: whatever the worker does, the caller gets typed
// events and a clear error with a hint, and is never taken down with it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { WorkerEvent } from "../../../src/core/protocol";
import { TrainingWorkerClient } from "../../../src/worker/clients/training-worker-client";

const script = join(__dirname, "..", "..", "fixtures", "workers", "misbehaving-worker.js");
const job = { repo: "/r", out: "/o", preset: "micro" as const, backend: "cpu" as const, resume: false };

async function runWorker(mode: string, opts: { maxHeapMb?: number; cancelAfterMs?: number } = {}) {
  const events: WorkerEvent[] = [];
  const stderr: string[] = [];
  const client = new TrainingWorkerClient({
    workerScript: script,
    maxHeapMb: opts.maxHeapMb ?? 256,
    env: { MISBEHAVE: mode },
    onEvent: (e) => events.push(e),
    onStderr: (l) => stderr.push(l),
  });
  client.start(job);
  if (opts.cancelAfterMs !== undefined) setTimeout(() => client.cancel(5000), opts.cancelAfterMs);
  const exit = await client.exited;
  return { events, stderr, exit };
}

describe("training worker client", () => {
  it("reports a worker killed with SIGKILL as an error with a hint to resume", async () => {
    const { events, exit } = await runWorker("sigkill");
    assert.equal(exit.signal, "SIGKILL");
    const error = events.at(-1);
    assert.ok(error && error.type === "error", "the last event is an error");
    assert.match(error.message, /killed \(SIGKILL\)/);
    assert.match(error.hint, /resume/i);
    assert.ok(events.some((e) => e.type === "stage-start"), "events before the crash still arrived");
  });

  it("recognises an out-of-memory crash and suggests a smaller preset", async () => {
    const { events, exit } = await runWorker("oom", { maxHeapMb: 48 });
    assert.notEqual(exit.code, 0);
    const error = events.at(-1);
    assert.ok(error && error.type === "error");
    assert.match(error.message, /out of memory/);
    assert.match(error.hint, /smaller preset/);
  });

  it("reports an uncaught exception with the worker's own last words", async () => {
    const { events } = await runWorker("throw");
    const error = events.at(-1);
    assert.ok(error && error.type === "error");
    assert.match(error.message, /boom in the worker/);
  });

  it("ignores a malformed message, says so, and carries on", async () => {
    const { events, stderr, exit } = await runWorker("garbage");
    assert.equal(exit.code, 0);
    assert.equal(exit.crash, undefined);
    assert.equal(events.at(-1)?.type, "done");
    assert.ok(stderr.some((l) => /malformed message.*field "step"/.test(l)), stderr.join("\n"));
    assert.ok(!events.some((e) => e.type === "progress"));
  });

  it("cancel reaches the worker and ends without a crash report", async () => {
    const { events, exit } = await runWorker("slow", { cancelAfterMs: 300 });
    assert.equal(exit.code, 0);
    assert.equal(exit.crash, undefined);
    const end = events.at(-1);
    assert.ok(end && end.type === "stage-end" && end.status === "cancelled");
  });
});
