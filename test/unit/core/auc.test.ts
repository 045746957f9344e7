// The reward model's AUC and the serving filter's threshold: pure functions of scored items.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rocAuc, type ScoredItem } from "../../../src/core/math/auc";
import { chooseThreshold } from "../../../src/core/math/filter-threshold";

const items = (pairs: [number, boolean][]): ScoredItem[] => pairs.map(([score, accepted]) => ({ score, accepted }));

/** The definition: P(score of a positive > score of a negative) + half P(equal). */
function bruteAuc(xs: readonly ScoredItem[]): number {
  let s = 0;
  let n = 0;
  for (const p of xs) if (p.accepted) for (const q of xs) if (!q.accepted) {
    s += p.score > q.score ? 1 : p.score === q.score ? 0.5 : 0;
    n++;
  }
  return s / n;
}

describe("rocAuc", () => {
  it("is 1 for a perfect ranking, 0 for a reversed one, 0.5 when every score is tied", () => {
    assert.equal(rocAuc(items([[0.1, false], [0.2, false], [0.8, true], [0.9, true]])), 1);
    assert.equal(rocAuc(items([[0.1, true], [0.2, true], [0.8, false], [0.9, false]])), 0);
    assert.equal(rocAuc(items([[3, true], [3, false], [3, true], [3, false]])), 0.5);
  });

  it("matches known values: one misordered pair of six, and ties counted half", () => {
    // positives 0.35, 0.8, 0.9 ; negatives 0.1, 0.4: 5 of 6 pairs right.
    assert.equal(rocAuc(items([[0.1, false], [0.35, true], [0.4, false], [0.8, true], [0.9, true]])), 5 / 6);
    // positive 0.5 tied with negative 0.5: (1 + 0.5 + 1 + 1) / 4
    assert.equal(rocAuc(items([[0.5, true], [0.5, false], [0.9, true], [0.1, false]])), 3.5 / 4);
  });

  it("is null when one class is empty (all accepted, none accepted, nothing)", () => {
    assert.equal(rocAuc(items([[1, true], [2, true]])), null);
    assert.equal(rocAuc(items([[1, false]])), null);
    assert.equal(rocAuc([]), null);
  });

  it("agrees with the pairwise definition on random items with many ties", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let t = 0; t < 50; t++) {
      const xs = Array.from({ length: 40 }, () => ({ score: Math.floor(rnd() * 6), accepted: rnd() < 0.4 }));
      if (!xs.some((x) => x.accepted) || xs.every((x) => x.accepted)) continue;
      assert.ok(Math.abs(rocAuc(xs)! - bruteAuc(xs)) < 1e-12);
    }
  });

  it("refuses NaN scores", () => {
    assert.throws(() => rocAuc(items([[Number.NaN, true], [1, false]])), /not a finite number/);
  });
});

describe("chooseThreshold", () => {
  const xs = items([[0.9, true], [0.8, true], [0.7, false], [0.6, true], [0.5, false], [0.4, false], [0.3, true], [0.2, false]]);

  it("strict: the lowest threshold with accept-precision >= 0.8", () => {
    const c = chooseThreshold(xs, "strict")!;
    // Show >= 0.6: 3 of 4 accepted (0.75) fails; >= 0.8: 2 of 2 passes; >= 0.7: 2 of 3 fails.
    assert.equal(c.threshold, 0.8);
    assert.equal(c.precision, 1);
    assert.equal(c.heldBackShare, 0.75);
  });

  it("balanced: the threshold of the best F1", () => {
    const c = chooseThreshold(xs, "balanced")!;
    // >= 0.6: P 3/4, R 3/4, F1 0.75; >= 0.3: P 4/7, R 1, F1 0.727; >= 0.8: P 1, R 1/2, F1 0.667.
    assert.equal(c.threshold, 0.6);
    assert.equal(c.recall, 0.75);
  });

  it("never splits tied scores, and is null when off, without accepted items, or when strict cannot be met", () => {
    const tied = items([[1, true], [1, false], [1, false], [0, false]]);
    assert.equal(chooseThreshold(tied, "balanced")!.threshold, 1);
    assert.equal(chooseThreshold(tied, "strict"), null, "the best cut is 1 of 3");
    assert.equal(chooseThreshold(xs, "off"), null);
    assert.equal(chooseThreshold(items([[1, false]]), "balanced"), null);
    assert.equal(chooseThreshold(items([[1, true], [0, true]]), "strict")!.threshold, 0, "all accepted: show all");
  });
});
