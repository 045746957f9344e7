// The repository-level prompt in llama.cpp's engine (the completion server's): the header goes
// in with the real <|repo_name|>/<|file_sep|> ids, and the prompt it evaluates has exactly the
// tokens training builds for the same place (core/examples/encode-examples), so the model is
// asked as it was trained.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { exportGguf } from "../../../src/core/formats/gguf";
import { encodeFim } from "../../../src/core/examples/encode-examples";
import { LlamaEngine } from "../../../src/serve/llama-engine";
import { realCode } from "./helpers/real-code";
import { tinyTokenizer, writeTinyCheckpoint } from "./helpers/tiny-checkpoint";

const dir = mkdtempSync(join(tmpdir(), "repotune-repo-prompt-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("repository-level prompt in the completion engine", () => {
  it("evaluates the same number of tokens as training encodes, header and other files included", async () => {
    await writeTinyCheckpoint(join(dir, "ckpt"));
    exportGguf({ checkpointDir: join(dir, "ckpt"), outPath: join(dir, "m.gguf"), dtype: "f32" });
    const engine = await LlamaEngine.load({ modelPath: join(dir, "m.gguf"), threads: 1, gpu: false });
    try {
      const tok = await tinyTokenizer();
      const code = realCode(6000);
      const prefix = code.slice(1000, 2500), suffix = code.slice(2500, 2800);
      const budget = { prefixTokens: 120, suffixTokens: 40, extraTokens: 60 };
      const repo = { name: "mocha", path: "lib/runner.js", files: [{ path: "lib/suite.js", text: code.slice(4000, 5000) }] };
      const plain = await engine.generate({ prefix, suffix, maxTokens: 4, budget });
      const withRepo = await engine.generate({ prefix, suffix, maxTokens: 4, budget, repo });
      const room = engine.contextSize - 4 - 1;
      assert.ok(engine.contextSize >= 1024, `a context of ${engine.contextSize}: large enough for the header`);
      assert.equal(plain.promptTokens, encodeFim(tok, prefix, suffix, room, budget, undefined, engine.contextSize).length);
      assert.equal(withRepo.promptTokens, encodeFim(tok, prefix, suffix, room, budget, repo, engine.contextSize).length);
      const header = withRepo.promptTokens - plain.promptTokens;
      // <|repo_name|> name <|file_sep|> (the other file, cut to 60 tokens) <|file_sep|> path
      assert.ok(header > 60 && header < 60 + 2 + 20, `header of ${header} tokens`);
      // The header changes the start of the prompt: nothing of the plain prompt's cache is reused.
      assert.equal(withRepo.reusedTokens, 0);
      const again = await engine.generate({ prefix: prefix + code[2500], suffix: suffix.slice(1), maxTokens: 1, budget, repo });
      assert.ok(again.reusedTokens >= header, `one more character typed reuses the header and more (${again.reusedTokens} tokens)`);
    } finally {
      await engine.dispose();
    }
  });
});
