// Intervals and paired tests of per-probe scores: the numbers a report's verdicts rest on.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bootstrapInterval, pairedTest } from "../../../src/core/math/resampling";
import { compareModels, verdict } from "../../../src/pipeline/evaluation/compare-models";
import { acceptedChars } from "../../../src/core/completion/metrics";

describe("resampling", () => {
  it("a bootstrap interval holds the mean, narrows with more items, and is the same every run", () => {
    const few = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? 1 : 0)); // mean 0.25
    const many = Array.from({ length: 2000 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const a = bootstrapInterval(few)!;
    const b = bootstrapInterval(many)!;
    assert.ok(a[0] < 0.25 && a[1] > 0.25, `[${a}]`);
    assert.ok(b[0] < 0.25 && b[1] > 0.25, `[${b}]`);
    assert.ok(b[1] - b[0] < (a[1] - a[0]) / 5, "ten times the items: a much narrower interval");
    assert.ok(Math.abs(b[1] - b[0] - 2 * 1.96 * Math.sqrt((0.25 * 0.75) / 2000)) < 0.01, "close to the normal approximation");
    assert.deepEqual(bootstrapInterval(few), a, "seeded");
    assert.equal(bootstrapInterval([]), null);
  });

  it("a paired test finds a consistent gain and not a coin-flip one", () => {
    const base = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const better = base.map((x, i) => (i % 5 === 1 ? 1 : x)); // 20 more right, none lost
    const r = pairedTest(base, better);
    assert.ok(Math.abs(r.delta - 0.1) < 1e-12);
    assert.ok(r.p < 0.001, `p ${r.p}`);
    const shuffled = base.map((x, i) => (i % 10 === 0 ? 1 - x : i % 10 === 1 ? 1 - x : x)); // as many gained as lost
    const s = pairedTest(base, shuffled);
    assert.equal(s.delta, 0);
    assert.ok(s.p > 0.5, `p ${s.p}`);
    assert.equal(pairedTest([1, 0], [1, 0]).p > 0.99, true, "identical scores: no evidence at all");
    assert.throws(() => pairedTest([1], [1, 2]), /same items/);
  });

  it("comparisons pair every earlier model with every later one, skip a model compared with itself, and give verdicts", () => {
    const items = (em: number[]) => ({ exactMatch: em, acceptedChars: em, editSimilarity: em.map((x) => 100 * x) });
    const worse = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const better = worse.map((x, i) => (i % 3 === 1 ? 1 : x));
    const c = compareModels({ base: items(worse), pretrain: items(worse), sft: items(better) }, { base: "/m/pre", pretrain: "/m/pre", sft: "/m/sft" });
    assert.deepEqual([...new Set(c.map((x) => `${x.a}>${x.b}`))], ["base>sft", "pretrain>sft"]);
    const em = c.find((x) => x.a === "base" && x.metric === "exactMatch")!;
    assert.equal(verdict(em), "better");
    assert.equal(verdict({ delta: -0.1, p: 0.01 }), "worse");
    assert.equal(verdict({ delta: 0.1, p: 0.2 }), "same");
    assert.ok(!c.some((x) => x.metric === "bitsPerByte"), "no loss comparison for models that could not score");
  });

  it("compares held-out loss per probe on the probes both models scored, where lower is better", () => {
    const base = Array.from({ length: 60 }, (_, i) => 3 + (i % 5) / 10);
    const tuned = base.map((x, i) => (i % 7 === 0 ? null : x - 0.4 + (i % 3) / 10));
    const scores = (bits: (number | null)[]) => ({ exactMatch: [0, 0], acceptedChars: [0, 0], editSimilarity: [0, 0], bitsPerByte: bits });
    const c = compareModels({ base: scores(base), sft: scores(tuned) }).find((x) => x.metric === "bitsPerByte")!;
    const kept = base.flatMap((x, i) => (tuned[i] === null ? [] : [tuned[i]! - x]));
    assert.ok(Math.abs(c.delta - kept.reduce((a, b) => a + b, 0) / kept.length) < 1e-12, "the mean over probes both scored");
    assert.ok(c.delta < 0 && c.p < 0.01);
    assert.equal(verdict(c), "better", "a lower loss is better");
    assert.equal(verdict({ ...c, delta: -c.delta }), "worse");
    assert.equal(verdict({ delta: -0.1, p: 0.01, metric: "exactMatch" }), "worse");
  });

  it("accepted characters: the longest correct prefix over the truth", () => {
    assert.equal(acceptedChars("return a;", "return a;"), 1);
    assert.equal(acceptedChars("return b;", "return a;"), 7 / 9);
    assert.equal(acceptedChars("", "x"), 0);
    assert.equal(acceptedChars("  日本語だ", "日本語です"), 3 / 5, "code points, both sides stripped");
  });
});
