// resolveBase: a path, a catalog name (downloaded or not), a listed name, or a clear error.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CATALOG, catalogPath, resolveBase } from "../../../src/hub";
import { setTensorType, writeTinyGguf, writeTinyHfFolder } from "./helpers/tiny-models";

const tmp = mkdtempSync(join(tmpdir(), "repotune-resolve-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const home = join(tmp, "home");
const folder = join(tmp, "models");
const lmDir = join(home, ".lmstudio", "models", "pub", "m");
mkdirSync(lmDir, { recursive: true });
writeTinyGguf(join(lmDir, "Coder-Tiny-Q8_0.gguf"), { fileType: 7 });
writeTinyGguf(join(lmDir, "Weird.gguf"), { architecture: "madeup" });
const opts = { folder, home, env: {}, platform: "linux" as const };

describe("resolveBase", () => {
  it("an existing GGUF path is itself, described", () => {
    const path = join(lmDir, "Coder-Tiny-Q8_0.gguf");
    const r = resolveBase(path, opts);
    assert.equal(r.path, path);
    assert.equal(r.model?.architecture, "qwen2");
    assert.equal(r.model?.canServe, true);
  });
  it("an existing HF folder is itself", () => {
    const dir = join(tmp, "hf");
    mkdirSync(dir);
    writeTinyHfFolder(dir);
    assert.equal(resolveBase(dir, opts).model?.format, "hf");
  });
  it("a path llama.cpp cannot load is refused with the reason", () => {
    assert.throws(() => resolveBase(join(lmDir, "Weird.gguf"), opts), /cannot be used as a base model: architecture madeup is not one llama\.cpp loads/);
    const notes = join(tmp, "notes.gguf");
    writeFileSync(notes, "hello world, not a model at all");
    assert.throws(() => resolveBase(notes, opts), /not a GGUF file/);
    const adapter = join(tmp, "adapter.gguf");
    writeTinyGguf(adapter, { type: "adapter" });
    assert.throws(() => resolveBase(adapter, opts), /LoRA adapter.*name a base model/);
  });
  it("for training, a base llama.cpp serves but we cannot read is refused with the reason; a relative path is the workspace's", () => {
    const iq = join(tmp, "iq2.gguf");
    writeTinyGguf(iq);
    setTensorType(iq, "blk.0.attn_q.weight", 17);
    assert.equal(resolveBase(iq, opts).path, iq, "it serves");
    assert.throws(() => resolveBase(iq, { ...opts, forTraining: true }), /can serve completions but RepoTune cannot train from it: .*IQ2_XS/);
    const here = join(lmDir, "Coder-Tiny-Q8_0.gguf");
    assert.equal(resolveBase("Coder-Tiny-Q8_0.gguf", { ...opts, cwd: lmDir }).path, here);
  });
  it("a catalog name not yet downloaded says how to pull it", () => {
    assert.throws(() => resolveBase("Qwen2.5-Coder-0.5B", opts), {
      message: "qwen2.5-coder-0.5b is not downloaded yet: run `repotune models pull qwen2.5-coder-0.5b` (about 531 MB)",
    });
  });
  it("a downloaded catalog name is its file", () => {
    const path = catalogPath(CATALOG[1]!, folder);
    mkdirSync(join(path, ".."), { recursive: true });
    writeTinyGguf(path, { fileType: 7 });
    const r = resolveBase("qwen2.5-coder-1.5b", opts);
    assert.equal(r.path, path);
    assert.equal(r.model?.source, "repotune");
  });
  it("a found model by its listed name, case-insensitively", () => {
    assert.equal(resolveBase("coder-tiny-q8_0", opts).path, join(lmDir, "Coder-Tiny-Q8_0.gguf"));
    assert.throws(() => resolveBase("weird", opts), /Weird.*cannot be used as a base model/);
  });
  it("anything else lists what is available", () => {
    assert.throws(() => resolveBase("gpt-5", opts), (err: Error) => {
      assert.match(err.message, /no base model called "gpt-5"/);
      assert.match(err.message, /Coder-Tiny-Q8_0/);
      assert.ok(!err.message.includes("Weird"), "only usable models are suggested");
      assert.match(err.message, /`repotune models`/);
      return true;
    });
  });
});
