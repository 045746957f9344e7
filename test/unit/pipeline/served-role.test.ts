// Which model of a run serves: the student only when it keeps 90% of the teacher's exact match
// and answers faster.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { servedRole } from "../../../src/pipeline/evaluation/served-role";
import type { StageEval } from "../../../src/pipeline/evaluation/types";

const row = (exactMatch: number, latencyMsP50: number | null): StageEval => ({
  exactMatch, editSimilarity: 0, acceptedChars: 0, exactMatchCi: null, editSimilarityCi: null, acceptedCharsCi: null,
  modes: {}, preferenceAccuracy: null, latencyMsP50, heldoutItems: 10, preferenceItems: 0,
});

describe("served role", () => {
  it("the student when it keeps 90% of the teacher's exact match and is faster", () => {
    const r = servedRole({ dpo: row(0.3, 40), student: row(0.27, 20) });
    assert.equal(r.role, "student");
    assert.match(r.reason, /27\.0% vs the teacher's \(dpo\) 30\.0%, latency p50 20 vs 40 ms/);
  });

  it("the teacher when the student loses more than a tenth of its exact match, or is not faster", () => {
    assert.equal(servedRole({ dpo: row(0.3, 40), student: row(0.26, 20) }).role, "teacher");
    assert.match(servedRole({ dpo: row(0.3, 40), student: row(0.26, 20) }).reason, /keeps less than 90\.0%/);
    assert.equal(servedRole({ sft: row(0.3, 40), student: row(0.3, 40) }).role, "teacher");
    assert.match(servedRole({ sft: row(0.3, 40), student: row(0.3, 41) }).reason, /is not faster/);
    assert.equal(servedRole({ sft: row(0.3, null), student: row(0.3, 10) }).role, "teacher", "faster must be measured");
  });

  it("the teacher is RL's model, else DPO's, else SFT's; with none evaluated the student serves, with no student the teacher", () => {
    assert.equal(servedRole({ rl: row(0.5, 40), dpo: row(0.1, 40), student: row(0.2, 10) }).role, "teacher", "judged against RL's 50%");
    assert.equal(servedRole({ student: row(0, 10) }).role, "student");
    assert.equal(servedRole({ dpo: row(0.1, 10) }).role, "teacher");
    assert.equal(servedRole({ dpo: row(0, 40), student: row(0, 20) }).role, "student", "no exact match to lose: the faster one");
  });
});
