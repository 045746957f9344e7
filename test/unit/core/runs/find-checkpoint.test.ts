// Which checkpoint `repotune export --run DIR` picks.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { findCheckpoint } from "../../../../src/core/runs/find-checkpoint";

const root = mkdtempSync(join(tmpdir(), "find-ckpt-"));
after(() => rmSync(root, { recursive: true, force: true }));

function checkpoint(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const f of ["config.json", "tokenizer.json", "model.safetensors"]) writeFileSync(join(dir, f), "{}");
  return dir;
}

describe("export --run DIR", () => {
  it("takes DIR itself when it is a checkpoint", () => {
    const dir = checkpoint(join(root, "a"));
    assert.equal(findCheckpoint(dir), dir);
  });

  it("follows a training root's latest.json", () => {
    checkpoint(join(root, "b", "checkpoint-10"));
    const latest = checkpoint(join(root, "b", "checkpoint-20"));
    writeFileSync(join(root, "b", "latest.json"), JSON.stringify({ format: "repotune-checkpoint-marker", checkpoint: "checkpoint-20", step: 20 }));
    assert.equal(findCheckpoint(join(root, "b")), latest);
  });

  it("finds the one checkpoint in a run folder, and lists them when there are several", () => {
    const only = checkpoint(join(root, "c", "stages", "student"));
    assert.equal(findCheckpoint(join(root, "c")), only);
    checkpoint(join(root, "c", "stages", "teacher"));
    assert.throws(() => findCheckpoint(join(root, "c")), /holds 2 checkpoints; pass one of them to --run: stages\/student, stages\/teacher/);
    assert.throws(() => findCheckpoint(join(root, "nowhere")), /does not exist/);
    mkdirSync(join(root, "empty"));
    assert.throws(() => findCheckpoint(join(root, "empty")), /is not a checkpoint directory .* and holds none/);
  });
});
