// Data cleaning with the base: verdicts by threshold, and which records then train.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BASE_LOSS_DEFAULTS, describeBaseLoss, recordFilter, verdictOf, type BaseLossReport } from "../../../src/pipeline/data/base-loss";

describe("data cleaning with the base", () => {
  it("drops above the hopeless threshold, down-weights below the easy one, keeps the rest", () => {
    assert.equal(verdictOf(3.2, BASE_LOSS_DEFAULTS), "hopeless");
    assert.equal(verdictOf(3.0, BASE_LOSS_DEFAULTS), "keep");
    assert.equal(verdictOf(1.1, BASE_LOSS_DEFAULTS), "keep");
    assert.equal(verdictOf(0.1, BASE_LOSS_DEFAULTS), "easy");
    assert.equal(verdictOf(2, { hopelessAbove: 1.5, easyBelow: 0 }), "hopeless", "thresholds are the job's");
  });

  it("trains no record of a hopeless file, about half of an easy file's (the same ones every run), all of the others", () => {
    const report: Pick<BaseLossReport, "files" | "thresholds"> = {
      thresholds: BASE_LOSS_DEFAULTS,
      files: [
        { path: "min.js", tokens: 128, loss: 4.2, verdict: "hopeless" },
        { path: "LICENSE.ts", tokens: 128, loss: 0.1, verdict: "easy" },
        { path: "src/a.ts", tokens: 128, loss: 1.3, verdict: "keep" },
      ],
    };
    const keep = recordFilter(report, 7);
    const count = (path: string) => Array.from({ length: 1000 }, (_, i) => keep(path, i)).filter(Boolean).length;
    assert.equal(count("min.js"), 0);
    assert.equal(count("src/a.ts"), 1000);
    assert.equal(count("never-scored.ts"), 1000, "files past maxFiles keep their weight");
    const easy = count("LICENSE.ts");
    assert.ok(easy > 430 && easy < 570, `${easy} of 1000 easy records kept`);
    const again = recordFilter(report, 7);
    assert.deepEqual(Array.from({ length: 50 }, (_, i) => again("LICENSE.ts", i)), Array.from({ length: 50 }, (_, i) => keep("LICENSE.ts", i)));
    assert.equal(recordFilter(null, 7)("min.js", 0), true, "no report: everything trains");
  });

  it("says what it did, naming the worst files", () => {
    const line = describeBaseLoss({ base: "b.gguf", thresholds: BASE_LOSS_DEFAULTS, seconds: 2.5, dropped: 1, downWeighted: 1, files: [{ path: "min.js", tokens: 128, loss: 4.2, verdict: "hopeless" }, { path: "LICENSE.ts", tokens: 128, loss: 0.1, verdict: "easy" }] });
    assert.match(line, /2 files scored on up to 48 tokens each in 2\.5 s; 1 dropped as hopeless \(loss above 3 nats\/token: min\.js 4\.20\), 1 down-weighted to 50% as already easy/);
    const cut = describeBaseLoss({ base: "b.gguf", thresholds: BASE_LOSS_DEFAULTS, seconds: 61.2, dropped: 0, downWeighted: 0, files: [] });
    assert.match(cut, /in 61\.2 s \(its 60-second budget: files after these train as gathered\)/);
  });
});
