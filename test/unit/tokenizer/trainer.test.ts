import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SPECIAL_TOKENS } from "../../../src/core/tokenizer/special-tokens";
import { serializeTokenizerJson, trainBpe, type TrainProgress } from "../../../src/core/tokenizer";
import { trainingDocs } from "./corpus";

describe("BPE trainer", () => {
  it("is deterministic: same corpus, same file, byte for byte", async () => {
    const docs = trainingDocs(300_000);
    const a = serializeTokenizerJson(await trainBpe(docs, { vocabSize: 1024 }));
    const b = serializeTokenizerJson(await trainBpe(docs, { vocabSize: 1024 }));
    assert.equal(a, b);
  });

  it("does not depend on document order or on being streamed", async () => {
    const docs = trainingDocs(300_000);
    async function* stream(): AsyncGenerator<string> {
      for (const d of [...docs].reverse()) yield d;
    }
    const a = serializeTokenizerJson(await trainBpe(docs, { vocabSize: 1024 }));
    const b = serializeTokenizerJson(await trainBpe(stream(), { vocabSize: 1024 }));
    assert.equal(a, b);
  });

  it("learns the most frequent pair first and breaks ties by smaller ids", async () => {
    // Pre-tokens "aaab" x1, " cd" x3, " ef" x3. Pairs Ġc, cd, Ġe, ef all count 3 (aa only 2):
    // the tie goes to the smallest ids, c (66) d (67), then e f; then Ġ (220) + cd (256) beats
    // Ġ + ef (257).
    const tok = await trainBpe(["aaab cd cd cd ef ef ef"], { vocabSize: 256 + 3 + SPECIAL_TOKENS.length, minFrequency: 1 });
    assert.deepEqual(tok.spec.merges, [
      ["c", "d"],
      ["e", "f"],
      ["Ġ", "cd"],
    ]);
  });

  it("reaches the requested size exactly, byte tokens first and specials last", async () => {
    const tok = await trainBpe(trainingDocs(200_000), { vocabSize: 700 });
    assert.equal(tok.vocabSize, 700);
    assert.equal(tok.spec.vocab.size, 700 - SPECIAL_TOKENS.length);
    assert.equal(tok.tokenToId("!"), 0);
    assert.equal(tok.tokenToId("Ġ"), 220);
    assert.deepEqual(tok.spec.addedTokens.map((t) => [t.content, t.special]), SPECIAL_TOKENS.map((s) => [s, true]));
  });

  it("stops early when pairs get rarer than minFrequency, and honours maxTokenBytes", async () => {
    const small = await trainBpe(["hello hello world"], { vocabSize: 5000, minFrequency: 2 });
    assert.ok(small.vocabSize < 300, `${small.vocabSize}`);
    assert.equal(small.decode(small.encode("hello world")), "hello world");
    const capped = await trainBpe(trainingDocs(200_000), { vocabSize: 800, maxTokenBytes: 4 });
    for (const [token] of capped.spec.vocab) assert.ok([...token].length <= 4, token);
  });

  it("reports progress and can be cancelled", async () => {
    const seen: TrainProgress[] = [];
    const tok = await trainBpe(trainingDocs(200_000), { vocabSize: 600, onProgress: (p) => seen.push(p) });
    assert.ok(tok.vocabSize === 600);
    const last = seen.at(-1)!;
    assert.equal(last.phase, "merge");
    assert.equal(last.done, 600 - 256 - SPECIAL_TOKENS.length);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(trainBpe(["x"], { vocabSize: 600, signal: ac.signal }), { name: "AbortError" });
  });

  it("refuses a vocabulary too small for the bytes and the specials", async () => {
    await assert.rejects(trainBpe(["x"], { vocabSize: 260 }), RangeError);
  });

  it("trains 1 MB of code without a quadratic slowdown", async () => {
    const docs = trainingDocs(1_000_000);
    const t0 = performance.now();
    await trainBpe(docs, { vocabSize: 2048 });
    const ms = performance.now() - t0;
    // About 0.3 s on an idle core. The bound is loose on purpose (CI machines are shared and
    // this is not a benchmark: bench/tokenizer.ts is); it catches an algorithm that recounts
    // all pairs per merge, which takes minutes.
    assert.ok(ms < 20_000, `${ms.toFixed(0)} ms`);
  });
});
