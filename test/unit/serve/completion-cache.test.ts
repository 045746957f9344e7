// The LRU cache and type-through.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CompletionCache } from "../../../src/serve/completion-cache";

describe("completion cache", () => {
  it("hits on the same prefix, suffix and mode only", () => {
    const c = new CompletionCache();
    c.set("const x = ", ";\n", "line", "compute()");
    assert.deepEqual(c.get("const x = ", ";\n", "line"), { text: "compute()", typed: 0 });
    assert.equal(c.get("const x = ", ";\n", "block"), undefined);
    assert.equal(c.get("const x = ", "", "line"), undefined);
    assert.equal(c.get("const y = ", ";\n", "line"), undefined);
  });

  it("serves type-through: the rest of a suggestion whose start the user typed", () => {
    const c = new CompletionCache();
    c.set("const x = ", ";\n", "line", "compute(a, b)");
    assert.deepEqual(c.get("const x = com", ";\n", "line"), { text: "pute(a, b)", typed: 3 });
    assert.deepEqual(c.get("const x = compute(a, b", ";\n", "line"), { text: ")", typed: 12 });
    assert.equal(c.get("const x = compute(a, b)", ";\n", "line"), undefined, "fully typed: nothing left to suggest");
    assert.equal(c.get("const x = cox", ";\n", "line"), undefined, "typed something else");
    assert.equal(c.get("const x = com", "", "line"), undefined, "suffix changed");
  });

  it("caches empty results (no model call for a place with nothing to say) but never types through them", () => {
    const c = new CompletionCache();
    c.set("a", "", "line", "");
    assert.deepEqual(c.get("a", "", "line"), { text: "", typed: 0 });
    assert.equal(c.get("ab", "", "line"), undefined);
  });

  it("evicts the least recently used entry, counting reads as use", () => {
    const c = new CompletionCache(2);
    c.set("a", "", "line", "1");
    c.set("b", "", "line", "2");
    assert.ok(c.get("a", "", "line")); // a is now the most recent
    c.set("c", "", "line", "3");
    assert.equal(c.size, 2);
    assert.equal(c.get("b", "", "line"), undefined);
    assert.ok(c.get("a", "", "line"));
    assert.ok(c.get("c", "", "line"));
  });

  it("replacing an entry keeps one copy", () => {
    const c = new CompletionCache(2);
    c.set("a", "", "line", "1");
    c.set("a", "", "line", "2");
    assert.equal(c.size, 1);
    assert.equal(c.get("a", "", "line")?.text, "2");
  });

  it("type-through is bounded", () => {
    const c = new CompletionCache(10, 4);
    c.set("", "", "block", "abcdefgh");
    assert.deepEqual(c.get("abcd", "", "block"), { text: "efgh", typed: 4 });
    assert.equal(c.get("abcde", "", "block"), undefined);
  });

  it("looks up fast enough to answer within a keystroke", () => {
    const c = new CompletionCache(256);
    const prefix = "x".repeat(8000);
    for (let i = 0; i < 256; i++) c.set(prefix + i, "suffix", "line", "completion " + i);
    const t = performance.now();
    for (let i = 0; i < 100; i++) c.get(prefix + "miss" + i, "suffix", "line");
    const perLookup = (performance.now() - t) / 100;
    assert.ok(perLookup < 2, `${perLookup.toFixed(3)} ms per missed lookup`);
  });
});
