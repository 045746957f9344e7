// The fixture test: on a small repository made by the test, a tiny run in which SFT makes the
// model better on held-out probes than the pretrained-only model (a paired test on the same
// probes), held-out preference pairs that no stage trained against, and DPO that keeps SFT's
// preference accuracy on them.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { EVAL_ROWS } from "../../../src/core/protocol";
import { verdict } from "../../../src/pipeline/evaluation/compare-models";
import { tinyRun, TINY_STEPS, type TinyRunResult } from "./tiny-run";

const SEED = 1;
// The held-out targets are lines that tell something (no lone `}`, none that also occur in a
// training file): the fixture's repeated template lines, which a tiny model gets right by
// rote, no longer count. What SFT learns of the rest shows in the characters a user would
// accept (+10 points at seed 1, p < 0.001), not yet in whole lines.
const MIN_SFT_ACCEPTED_GAIN = 0.05;
// Against pairs that reject the base model's line, SFT and DPO score alike at seed 1 (34% and
// 31% of 32 pairs): the 19-28 point gains measured before came from pairs rejecting the SFT
// model's own output, which DPO is trained to push down. What is asserted is that DPO keeps
// what SFT had.
const MAX_DPO_PREFERENCE_LOSS = 0.15;

describe("post-training on a fixture repository (tiny run)", { timeout: 600_000 }, () => {
  const root = fs.mkdtempSync(join(tmpdir(), "repotune-fixture-run-"));
  let run: TinyRunResult;
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  before(async () => {
    tf.env().set("PROD", true);
    assert.ok(await tf.setBackend("wasm"));
    await tf.ready();
    run = await tinyRun(root, SEED, () => undefined, { ...TINY_STEPS, extras: false });
  });

  it("SFT is better than the pretrained-only model on held-out probes (paired test), and not worse in exact match", () => {
    const { pretrain, sft } = run.report.stages;
    assert.ok(pretrain && sft);
    assert.ok(sft.heldoutItems >= 30, `only ${sft.heldoutItems} held-out probes`);
    const vs = (metric: string) => run.report.comparisons.find((c) => c.a === "pretrain" && c.b === "sft" && c.metric === metric)!;
    const accepted = vs("acceptedChars");
    assert.ok(accepted.delta >= MIN_SFT_ACCEPTED_GAIN && accepted.p < 0.05, `accepted chars: pretrain ${pretrain.acceptedChars}, SFT ${sft.acceptedChars} (p ${accepted.p})`);
    assert.notEqual(verdict(vs("exactMatch")), "worse", `exact match: pretrain ${pretrain.exactMatch}, SFT ${sft.exactMatch}`);
    assert.ok(sft.editSimilarity! > pretrain.editSimilarity!, `edit similarity: pretrain ${pretrain.editSimilarity}, SFT ${sft.editSimilarity}`);
  });

  it("held-out preference pairs owe nothing to DPO's training, and DPO does not lose them (within 15 points of SFT)", () => {
    const { sft, dpo } = run.report.stages;
    assert.ok(sft && dpo);
    assert.ok(dpo.preferenceItems >= 20, `only ${dpo.preferenceItems} held-out pairs`);
    assert.equal(dpo.preferenceItems, sft.preferenceItems);
    // No pair rejects the policy's own output (a win DPO is trained for, not a measurement).
    const held = fs.readFileSync(run.dpo.files.heldoutPairs!, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(held.every((p) => p.rejectedBy === "base-model" || p.rejectedBy === "same-file"), "held-out pairs reject the base's line or another line of the file");
    assert.deepEqual(Object.keys(dpo.preferenceBySource ?? {}).sort(), [...new Set(held.map((p) => p.rejectedBy as string))].sort());
    assert.ok(dpo.preferenceAccuracy! >= sft.preferenceAccuracy! - MAX_DPO_PREFERENCE_LOSS, `preference accuracy: SFT ${sft.preferenceAccuracy}, DPO ${dpo.preferenceAccuracy} (${JSON.stringify(dpo.preferenceBySource)})`);
  });

  it("DPO trained on synthetic pairs, said so, and logged TRL's metrics", () => {
    assert.equal(run.dpo.pairs.editor, 0);
    assert.ok(run.dpo.pairs.synthetic >= 32);
    const lines = fs.readFileSync(run.dpo.files.syntheticPairs!, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, run.dpo.pairs.synthetic);
    assert.ok(lines.every((p) => p.source === "synthetic" && p.chosen !== p.rejected));
    const m = run.dpo.train.metrics;
    for (const name of ["rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected"]) {
      assert.ok(Number.isFinite(m[name]), `${name} missing`);
    }
    assert.ok(m["rewards/margins"]! > 0);
  });

  it("writes report.json with every row and report.md with the table", () => {
    const json = JSON.parse(fs.readFileSync(join(root, "report.json"), "utf8"));
    assert.deepEqual(Object.keys(json.stages), [...EVAL_ROWS]);
    assert.equal(json.stages.base, null);
    const md = fs.readFileSync(join(root, "report.md"), "utf8");
    for (const row of ["pretrain", "sft", "dpo"]) assert.match(md, new RegExp(`^\\| ${row} \\| [0-9.]+% \\[[0-9.]+, [0-9.]+\\] \\|`, "m"));
  });
});
