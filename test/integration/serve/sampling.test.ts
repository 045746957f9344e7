// Sampling in llama.cpp's engine, which best-of-n's other candidates use: a seed gives the same
// text again (from a KV cache that holds the prompt already, too), different seeds give other
// candidates, and leaving sampling out stays greedy.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { BEST_OF_SAMPLING } from "../../../src/core/completion/best-of-n";
import { LlamaEngine } from "../../../src/serve/llama-engine";
import { realCode } from "./helpers/real-code";
import { writeTinyServableGguf } from "./helpers/tiny-checkpoint";

const dir = mkdtempSync(join(tmpdir(), "repotune-sampling-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("sampling in the completion engine", () => {
  it("is reproducible per seed, varies across seeds, and greedy without it", async () => {
    const engine = await LlamaEngine.load({ modelPath: await writeTinyServableGguf(dir), threads: 1, gpu: false });
    try {
      const code = realCode(3000);
      const place = { prefix: code.slice(0, 1500), suffix: code.slice(1500, 1700), maxTokens: 8 };
      const greedy = await engine.generate(place);
      assert.equal((await engine.generate(place)).text, greedy.text, "greedy twice: one text");
      const sampled: string[] = [];
      for (let seed = 1; seed <= 6; seed++) sampled.push((await engine.generate({ ...place, sampling: { ...BEST_OF_SAMPLING, seed } })).text);
      const again = await engine.generate({ ...place, sampling: { ...BEST_OF_SAMPLING, seed: 3 } });
      assert.equal(again.text, sampled[2], "seed 3 again: the same text");
      assert.ok(again.reusedTokens > 0, "the prompt came from the KV cache");
      assert.ok(new Set([greedy.text, ...sampled]).size >= 2, `other candidates across seeds: ${JSON.stringify([greedy.text, ...sampled])}`);
    } finally {
      await engine.dispose();
    }
  });
});
