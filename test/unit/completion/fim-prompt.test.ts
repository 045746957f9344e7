// The FIM prompt: PSM order with the model's control tokens, cut to the budget nearest the cursor.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildFimPrompt } from "../../../src/core/completion/fim-prompt";
import { defaultThreads } from "../../../src/serve/threads";

const fim = { prefix: -1, suffix: -2, middle: -3 };
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe("FIM prompt", () => {
  it("is <|fim_prefix|> prefix <|fim_suffix|> suffix <|fim_middle|>", () => {
    assert.deepEqual(buildFimPrompt([1, 2], [3], fim, { maxPromptTokens: 100, suffixShare: 0.25 }), [-1, 1, 2, -2, 3, -3]);
  });

  it("keeps the end of a long prefix and the start of a long suffix", () => {
    const p = buildFimPrompt(range(0, 100), range(100, 200), fim, { maxPromptTokens: 43, suffixShare: 0.25 });
    assert.equal(p.length, 43);
    assert.deepEqual(p.slice(0, 3), [-1, 70, 71]);
    assert.deepEqual(p.slice(30, 33), [99, -2, 100]);
    assert.deepEqual(p.slice(-2), [109, -3]);
  });

  it("gives a short side's room to the other", () => {
    assert.equal(buildFimPrompt(range(0, 5), range(100, 200), fim, { maxPromptTokens: 43, suffixShare: 0.25 }).length, 43);
    assert.equal(buildFimPrompt(range(0, 100), range(100, 102), fim, { maxPromptTokens: 43, suffixShare: 0.25 }).length, 43);
  });

  it("keeps at most the completion budget's tokens of each side, however large the context", () => {
    const p = buildFimPrompt(range(0, 100), range(100, 200), fim, { maxPromptTokens: 4096, suffixShare: 0.25, prefixTokens: 10, suffixTokens: 4 });
    assert.deepEqual(p, [-1, ...range(90, 100), -2, ...range(100, 104), -3]);
  });
});

describe("threads", () => {
  it("uses one thread on two cores (measured fastest there), a few on bigger machines", () => {
    assert.equal(defaultThreads(1), 1);
    assert.equal(defaultThreads(2), 1);
    assert.equal(defaultThreads(8), 4);
    assert.equal(defaultThreads(64), 4);
  });
});
