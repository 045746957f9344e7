// The preset a job runs with: named, fitted to --minutes, and with the steps a job sets itself.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fitPresetToMinutes, PRESET_TABLE, presetForJob } from "../../../src/core/presets";

describe("presetForJob", () => {
  it("is the named preset, fitted to --minutes, and takes a job's own steps over both", () => {
    assert.deepEqual(presetForJob({ preset: "tiny" }), PRESET_TABLE.tiny);
    assert.deepEqual(presetForJob({ preset: "tiny", minutes: 5 }), fitPresetToMinutes(PRESET_TABLE.tiny, 5));
    const set = presetForJob({ preset: "tiny", minutes: 5, steps: { pretrain: 900, rl: 0 } });
    assert.equal(set.steps.pretrain, 900);
    assert.equal(set.steps.rl, 0);
    assert.equal(set.steps.sft, fitPresetToMinutes(PRESET_TABLE.tiny, 5).steps.sft, "the stages it does not name keep the fitted steps");
  });

  it("refuses steps for a stage that does not train, or a count that is not whole", () => {
    assert.throws(() => presetForJob({ preset: "tiny", steps: { eval: 3 } as never }), /"eval" is not a training stage/);
    assert.throws(() => presetForJob({ preset: "tiny", steps: { sft: 2.5 } }), /sft must be a whole number/);
    assert.throws(() => presetForJob({ preset: "huge" as never }), /unknown preset "huge"/);
  });
});
