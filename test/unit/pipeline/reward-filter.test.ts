// Shown items for the reward model's acceptance AUC: labels from editor outcomes and from the
// truth's first line, held out by file, and the filter figures made from scores.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { editorShownItems, filterFigures, filterOutcome, filterPrompt, syntheticShownItems } from "../../../src/pipeline/evaluation/reward-filter";
import type { FeedbackEvent } from "../../../src/core/feedback/feedback-types";

const event = (e: Partial<FeedbackEvent>): FeedbackEvent => ({ id: "x", time: "", outcome: "accepted", path: "a.ts", languageId: "typescript", prefix: "p", suffix: "s", shown: "abcd", written: "", mode: "line", model: "m", latencyMs: 1, ...e });

describe("reward filter items", () => {
  it("editor: accepted 1, rejected 0, a partial accept by the share taken; other files and empty suggestions left out", () => {
    const items = editorShownItems(
      [event({}), event({ outcome: "rejected" }), event({ outcome: "partial", acceptedChars: 2 }), event({ outcome: "partial", acceptedChars: 1 }), event({ path: "train.ts" }), event({ shown: "" })],
      (p) => p === "a.ts",
    );
    assert.deepEqual(items.map((i) => i.accepted), [true, false, true, false]);
    assert.ok(items.every((i) => i.source === "editor"));
  });

  it("synthetic: accepted when the first line matches the truth's, whitespace aside; empty predictions are not shown", () => {
    const probe = { prefix: "x", suffix: "", target: "  return a;\n}", path: "h.ts", line: 3 };
    const items = syntheticShownItems([probe, probe, probe], ["return a;  \nfoo", "return b;", ""]);
    assert.deepEqual(items.map((i) => i.accepted), [true, false]);
    assert.ok(items.every((i) => i.source === "synthetic"));
  });

  it("figures: AUC and both thresholds from the scores; counts by source", () => {
    const items = syntheticShownItems([{ prefix: "", suffix: "", target: "a", path: "p", line: 1 }], ["a"]);
    const f = filterFigures([...items, ...items], [{ score: 2, accepted: true }, { score: 1, accepted: false }]);
    assert.equal(f.auc, 1);
    assert.deepEqual(f.thresholds, { balanced: 2, strict: 2 });
    assert.deepEqual(f.bySource, { editor: 0, synthetic: 2 });
  });

  it("the prompt is a short window of the place, the same at evaluation and at serving", () => {
    const p = filterPrompt("a".repeat(10_000), "b".repeat(10_000));
    assert.ok(p.length < 1000, `${p.length}`);
  });
});

describe("report.json filter block", () => {
  const probe = (target: string) => ({ prefix: "", suffix: "", target, path: "h.ts", line: 1 });
  it("held-back share over all scored items, exact match of all vs shown over the items with a truth, median score time", () => {
    // Predictions: hit, miss, hit, miss; scores 3, 0, 1, 2; threshold 1.5 holds back the second and third.
    const items = syntheticShownItems([probe("a"), probe("b"), probe("c"), probe("d")], ["a", "x", "c", "y"]);
    const editor = editorShownItems([event({})], () => true); // no truth: counts for the share only
    const all = [...items, ...editor];
    const scored = [3, 0, 1, 2, 0].map((score, i) => ({ score, accepted: all[i]!.accepted }));
    const f = filterOutcome(all, scored, 1.5, "balanced", [4, 1, 3, 2, 100]);
    assert.equal(f.heldBackShare, 3 / 5);
    assert.equal(f.exactMatchAll, 2 / 4);
    assert.equal(f.exactMatchShown, 1 / 2);
    assert.deepEqual([f.exactMatchItems, f.exactMatchShownItems], [4, 2]);
    assert.equal(f.addedLatencyMsP50, 3);
  });

  it("no threshold: nothing held back, shown equals all; no items: nulls", () => {
    const items = syntheticShownItems([probe("a"), probe("b")], ["a", "x"]);
    const f = filterOutcome(items, [{ score: 0, accepted: true }, { score: 0, accepted: false }], null);
    assert.equal(f.heldBackShare, 0);
    assert.equal(f.exactMatchShown, f.exactMatchAll);
    const e = filterOutcome([], [], 1);
    assert.deepEqual([e.heldBackShare, e.exactMatchAll, e.exactMatchShown, e.addedLatencyMsP50], [null, null, null, null]);
  });
});
