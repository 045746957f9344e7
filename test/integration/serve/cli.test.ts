// `repotune export --format gguf` and `repotune complete` as a user runs them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readGguf } from "../../../src/core/formats/gguf";
import { writeTinyCheckpoint } from "./helpers/tiny-checkpoint";

const root = join(__dirname, "..", "..", "..");
const dir = mkdtempSync(join(tmpdir(), "repotune-cli-"));
const repotune = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", join(root, "src/cli/main.ts"), ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });

before(async () => {
  await writeTinyCheckpoint(join(dir, "run", "student"), { seed: 3, config: { tie_word_embeddings: false } });
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("repotune export and complete", () => {
  it("exports the one checkpoint of a run folder to GGUF (f16 by default)", () => {
    const r = repotune("export", "--format", "gguf", "--run", join(dir, "run"), "--out", join(dir, "m.gguf"), "--json");
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { out: string; tensors: number; dtype: string };
    assert.equal(out.dtype, "f16");
    assert.equal(out.tensors, 27);
    const file = readGguf(join(dir, "m.gguf"));
    assert.equal(file.tensors.find((t) => t.name === "blk.0.ffn_up.weight")?.type, "F16");
    assert.equal(file.tensors.find((t) => t.name === "blk.0.attn_norm.weight")?.type, "F32", "1-D tensors stay f32");
  });

  it("says what is wrong with a bad export request", () => {
    const r = repotune("export", "--format", "gguf", "--run", dir + "/nowhere", "--out", join(dir, "x.gguf"));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /does not exist/);
  });

  it("prints the completion at a place in a file", () => {
    const file = join(dir, "add.js");
    writeFileSync(file, "function add(a, b) {\n  return a + b;\n}\n\nfunction sub(a, b) {\n  \n}\n");
    const r = repotune("complete", "--model", join(dir, "m.gguf"), "--file", file, "--line", "6", "--column", "3", "--threads", "1", "--json");
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { text: string; mode: string; latencyMs: number; device: string; promptTokens: number };
    assert.equal(out.mode, "block");
    assert.equal(typeof out.text, "string");
    assert.ok(out.promptTokens > 10);
    assert.match(out.device, /cpu \(1 thread\)|cuda|vulkan|metal/);
  });
});
