// The restart budget of the completion server: growing pauses, at most N restarts in a
// sliding window, and a fresh budget once the old crashes leave the window or on reset.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RestartBudget } from "../../../../src/core/process/restart-budget";

describe("RestartBudget", () => {
  it("pauses longer after each crash, and refuses the one past the limit within the window", () => {
    const b = new RestartBudget({ maxPerWindow: 3, windowMs: 60_000, backoffMs: [500, 2000] });
    assert.deepEqual(b.crashed(0), { restart: true, afterMs: 500 });
    assert.deepEqual(b.crashed(1000), { restart: true, afterMs: 2000 });
    assert.deepEqual(b.crashed(2000), { restart: true, afterMs: 2000 }, "the last pause repeats");
    assert.deepEqual(b.crashed(3000), { restart: false, crashes: 4, windowMs: 60_000 });
  });

  it("forgets crashes older than the window, and all of them on reset", () => {
    const b = new RestartBudget({ maxPerWindow: 2, windowMs: 10_000 });
    b.crashed(0);
    b.crashed(1);
    assert.equal(b.crashed(2).restart, false);
    assert.equal(b.crashed(10_001).restart, true, "those at 0 and 1 left the window: 2 and 10,001 remain");
    assert.equal(b.crashed(10_001).restart, false, "2, 10,001 and 10,001: three in the window");
    assert.equal(b.crashed(30_000).restart, true);
    b.reset();
    assert.deepEqual(b.crashed(30_001), { restart: true, afterMs: 500 });
  });
});
