// kill -9 of the completion server with requests in flight, as the extension's client sees it:
// the requests in flight are answered with an error (never with text), the next request is
// served by a fresh server after a growing pause, and after more crashes than the budget
// allows in a minute the client stops restarting and says why, until the user tries again.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CompletionServerClient, type CompletionResult } from "../../../src/worker/clients/completion-server-client";
import { realCode } from "./helpers/real-code";
import { ensureServerBundle } from "./helpers/server-bundle";
import { writeTinyServableGguf } from "./helpers/tiny-checkpoint";

const dir = mkdtempSync(join(tmpdir(), "repotune-crash-"));
const gguf = join(dir, "tiny.gguf");
const code = realCode(20_000);
const request = (offset: number) => ({ prefix: code.slice(offset - 1500, offset), suffix: code.slice(offset, offset + 300), languageId: "typescript", maxTokens: 256, mode: "block" as const });

let client: CompletionServerClient;
const stops: string[] = [];

before(async () => {
  await writeTinyServableGguf(dir);
  client = new CompletionServerClient({ serverScript: await ensureServerBundle(), modelPath: gguf, threads: 1, restarts: { maxPerWindow: 3, windowMs: 60_000, backoffMs: [100, 200, 400] }, onStopped: (r) => void stops.push(r) });
});
after(() => {
  client?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends `n` requests, kills the server with SIGKILL while they are in flight, and returns their results. */
async function killWithRequestsInFlight(n: number): Promise<CompletionResult[]> {
  await client.start();
  const pid = client.pid;
  assert.ok(pid, "no server process");
  const results = Array.from({ length: n }, (_, i) => client.complete(request(5000 + 700 * i)));
  await new Promise((r) => setImmediate(r)); // the requests are on their way
  process.kill(pid, "SIGKILL");
  return Promise.all(results);
}

describe("completion server killed with requests in flight", { timeout: 120_000 }, () => {
  it("answers the requests in flight with an error, restarts after a growing pause, and serves the next", async () => {
    const warm = await client.complete(request(4000));
    assert.equal(warm.kind, "completion", JSON.stringify(warm));
    const pauses: number[] = [];
    for (let crash = 1; crash <= 3; crash++) {
      const before = client.pid;
      const inFlight = await killWithRequestsInFlight(4);
      assert.deepEqual(inFlight.map((r) => r.kind), ["error", "error", "error", "error"], `crash ${crash}: ${JSON.stringify(inFlight)}`);
      const started = Date.now();
      const next = await client.complete(request(9000));
      pauses.push(Date.now() - started);
      assert.equal(next.kind, "completion", `crash ${crash}: ${JSON.stringify(next)}`);
      assert.notEqual(client.pid, before, "the same process answered after a kill");
    }
    // The pause grows: 100, 200, 400 ms before each new server (plus its start).
    assert.ok(pauses[0]! >= 100 && pauses[1]! >= 200 && pauses[2]! >= 400, `pauses ${pauses.join(", ")} ms`);
    assert.deepEqual(stops, []);
  });

  it("stops restarting after a 4th crash within the minute, says why, and starts again when asked", async () => {
    const inFlight = await killWithRequestsInFlight(2);
    assert.deepEqual(inFlight.map((r) => r.kind), ["error", "error"]);
    assert.equal(stops.length, 1);
    assert.match(stops[0]!, /crashed 4 times within 60 s \(last: SIGKILL\) and is not restarted/);
    const refused = await client.complete(request(9000));
    assert.ok(refused.kind === "error" && refused.message === stops[0], JSON.stringify(refused));
    assert.equal(client.pid, undefined, "a server was started anyway");
    client.resetCrashes();
    const served = await client.complete(request(9000));
    assert.equal(served.kind, "completion", JSON.stringify(served));
  });
});
