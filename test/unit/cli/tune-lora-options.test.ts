// `repotune tune --lora ...`: the flags become the job's LoRA choice, with clear errors.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { jobFromOptions } from "../../../src/cli/commands/tune";

describe("repotune tune --lora", () => {
  const repo = mkdtempSync(join(tmpdir(), "repotune-tune-opts-"));
  after(() => rmSync(repo, { recursive: true, force: true }));
  const opts = { repo, preset: "micro", backend: "wasm", activate: "never", maxHeapMb: "4096" };

  it("defaults to auto with LORA_DEFAULTS; a rank brings alpha 2r unless alpha is given", () => {
    assert.deepEqual(jobFromOptions(opts).lora, { use: "auto" });
    assert.deepEqual(jobFromOptions({ ...opts, lora: "always", loraRank: "8" }).lora, { use: "always", r: 8, alpha: 16 });
    assert.deepEqual(jobFromOptions({ ...opts, loraRank: "8", loraAlpha: "8", loraDropout: "0", loraTargets: "q_proj, v_proj" }).lora, { use: "auto", r: 8, alpha: 8, dropout: 0, targetModules: ["q_proj", "v_proj"] });
  });

  it("refuses what is not a LoRA setting, saying what is allowed", () => {
    assert.throws(() => jobFromOptions({ ...opts, lora: "sometimes" }), /--lora "sometimes" is not one of auto, always, never/);
    assert.throws(() => jobFromOptions({ ...opts, loraRank: "0" }), /--lora-rank must be a whole number from 1 to 1024, got "0"/);
    assert.throws(() => jobFromOptions({ ...opts, loraDropout: "1" }), /--lora-dropout must be a number from 0 up to 1/);
    assert.throws(() => jobFromOptions({ ...opts, loraTargets: "q_proj,lm_head" }), /--lora-targets: lm_head is not a projection \(q_proj, k_proj/);
  });

  it("--drop-above, --easy-below and --no-base-loss set the data cleaning with the base", () => {
    assert.equal(jobFromOptions(opts).baseLoss, undefined);
    assert.deepEqual(jobFromOptions({ ...opts, dropAbove: "2.5" }).baseLoss, { hopelessAbove: 2.5 });
    assert.deepEqual(jobFromOptions({ ...opts, dropAbove: "4", easyBelow: "0.1" }).baseLoss, { hopelessAbove: 4, easyBelow: 0.1 });
    assert.equal(jobFromOptions({ ...opts, baseLoss: false }).baseLoss, false);
    assert.throws(() => jobFromOptions({ ...opts, dropAbove: "-1" }), /--drop-above must be a loss in nats per token/);
  });
});
