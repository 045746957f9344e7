// The held-out split: how many files, which ones (the smallest seeded keys, whatever order the
// files arrive in), and the same answer every time.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { HeldoutReservoir } from "../../../src/core/gather/heldout-reservoir";
import type { KeptFile } from "../../../src/core/gather/judge-file";
import { compareSplit, heldoutCount, splitKey } from "../../../src/core/gather/split";

const settings = { seed: 1234, fraction: 0.05, min: 1, max: 200 };
const file = (path: string): KeptFile => ({ path, size: 1, digest: "", language: "typescript" });

describe("heldoutCount", () => {
  it("is 5% of the files, at least 1 and at most 200, and never every file", () => {
    assert.equal(heldoutCount(0, settings), 0);
    assert.equal(heldoutCount(1, settings), 0);
    assert.equal(heldoutCount(2, settings), 1);
    assert.equal(heldoutCount(20, settings), 1);
    assert.equal(heldoutCount(100, settings), 5);
    assert.equal(heldoutCount(1_000, settings), 50);
    assert.equal(heldoutCount(50_000, settings), 200);
  });
});

describe("HeldoutReservoir", () => {
  it("holds out the files with the smallest keys, whatever their order", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}\.ts$/), { minLength: 1, maxLength: 120 }), fc.integer(), (paths, seed) => {
        const capacity = heldoutCount(paths.length, settings);
        const reservoir = new HeldoutReservoir(capacity);
        const trained: string[] = [];
        for (const path of paths) {
          const released = reservoir.offer(file(path), splitKey(seed, path));
          if (released) trained.push(released.file.path);
        }
        const { heldout, train } = reservoir.drain(capacity);
        trained.push(...train.map((w) => w.file.path));
        const expected = [...paths].sort((a, b) => compareSplit(splitKey(seed, a), a, splitKey(seed, b), b)).slice(0, capacity);
        assert.deepEqual(heldout.map((w) => w.file.path), expected);
        assert.deepEqual([...trained, ...expected].sort(), [...paths].sort(), "every file ends up exactly once");
      }),
    );
  });

  it("drains fewer than it holds when fewer files were kept than listed", () => {
    const reservoir = new HeldoutReservoir(5);
    for (const p of ["a", "b", "c", "d", "e", "f"]) reservoir.offer(file(p), splitKey(1, p));
    const { heldout, train } = reservoir.drain(2);
    assert.equal(heldout.length, 2);
    assert.equal(train.length, 3);
  });
});

describe("splitKey", () => {
  it("depends on the seed and the path only", () => {
    assert.equal(splitKey(7, "src/a.ts"), splitKey(7, "src/a.ts"));
    assert.notEqual(splitKey(7, "src/a.ts"), splitKey(8, "src/a.ts"));
    assert.notEqual(splitKey(7, "src/a.ts"), splitKey(7, "src/b.ts"));
    assert.ok(Number.isSafeInteger(splitKey(7, "x")));
  });
});
