// CodeXGLUE-style line-completion metrics on cases worked out by hand.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { acceptedChars, editSimilarity, exactMatch, indelDistance, median } from "../../../src/core/completion/metrics";
import { summarise } from "../../../src/pipeline/evaluation/evaluate-model";
import { assertClose } from "./helpers";

describe("evaluation metrics", () => {
  it("exact match ignores whitespace amounts, not tokens", () => {
    assert.ok(exactMatch("return  a +b;", "return a +b;"));
    assert.ok(exactMatch("  x = 1\t", "x = 1"));
    assert.ok(!exactMatch("return a + b;", "return a +b;")); // "+b;" vs "+", "b;"
    assert.ok(!exactMatch("x = 1", "x = 12"));
    assert.ok(exactMatch("", "   "));
  });

  it("indel distance: kitten -> sitting is 5 (Levenshtein 3, each substitution costs 2, one insertion)", () => {
    assert.equal(indelDistance("kitten", "sitting"), 5);
    assert.equal(indelDistance("", "abc"), 3);
    assert.equal(indelDistance("abc", "abc"), 0);
  });

  it("edit similarity is 100 * (1 - indel / (|a| + |b|)), as rapidfuzz's fuzz.ratio", () => {
    // kitten/sitting: LCS "ittn" = 4, 2 * 4 / 13 = 61.538...
    assertClose(editSimilarity("kitten", "sitting"), 61.53846153846154, { abs: 1e-9 }, "kitten");
    assert.equal(editSimilarity("same", "same"), 100);
    assert.equal(editSimilarity("abc", "xyz"), 0);
    assert.equal(editSimilarity("", ""), 100);
    // Stripped first; counted in code points (an emoji is one character, not two UTF-16 units).
    assert.equal(editSimilarity("  ab\n", "ab"), 100);
    assertClose(editSimilarity("a😀", "a"), (100 * 2) / 3, { abs: 1e-9 }, "emoji");
  });

  it("median of odd and even counts, null for none", () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([]), null);
  });

  it("averages exact match as a fraction and edit similarity 0-100", () => {
    const pairs = [
      { prediction: "a = 1", truth: "a  =  1" },
      { prediction: "kitten", truth: "sitting" },
    ];
    const items = {
      exactMatch: pairs.map((p) => (exactMatch(p.prediction, p.truth) ? 1 : 0)),
      editSimilarity: pairs.map((p) => editSimilarity(p.prediction, p.truth)),
      acceptedChars: pairs.map((p) => acceptedChars(p.prediction, p.truth)),
    };
    const s = summarise(items, ["line", "line"], [], { accuracy: null, items: 0 });
    assert.equal(s.heldoutItems, 2);
    assert.equal(s.exactMatch, 0.5);
    // "a = 1" vs "a  =  1": LCS 5 of 5 + 7 -> 83.33; mean with 61.54
    assertClose(s.editSimilarity!, ((100 * 10) / 12 + 61.53846153846154) / 2, { abs: 1e-9 }, "mean");
  });
});
