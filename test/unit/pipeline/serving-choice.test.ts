// Which model completes: the run's active model only when it was judged against the base
// chosen now (or picked by hand); otherwise that base.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { servingChoice } from "../../../src/core/runs/serving-choice";

const run = { gguf: "/d/runs/r1/student.gguf", runId: "r1", role: "student" as const, activatedAt: "" };

describe("serving choice", () => {
  it("no base set: the active model, or nothing", () => {
    assert.deepEqual(servingChoice(run, undefined), { kind: "run", active: run });
    assert.deepEqual(servingChoice(undefined, undefined), { kind: "none" });
  });
  it("a base and no run model yet: the base completes from the first minute", () => {
    assert.deepEqual(servingChoice(undefined, "/m/q.gguf"), { kind: "base", path: "/m/q.gguf" });
  });
  it("a model trained from scratch or from another base gives way to the chosen base", () => {
    assert.deepEqual(servingChoice(run, "/m/q.gguf"), { kind: "base", path: "/m/q.gguf" });
    assert.deepEqual(servingChoice({ ...run, base: "/m/other.gguf" }, "/m/q.gguf"), { kind: "base", path: "/m/q.gguf" });
  });
  it("a model trained from this base (and judged better than it), or picked by hand, keeps serving", () => {
    const fromBase = { ...run, base: "/m/./q.gguf" };
    assert.deepEqual(servingChoice(fromBase, "/m/q.gguf"), { kind: "run", active: fromBase });
    const pinned = { ...run, pinned: true };
    assert.deepEqual(servingChoice(pinned, "/m/q.gguf"), { kind: "run", active: pinned });
  });
});
