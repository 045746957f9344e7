// The repository-level prompt (Qwen2.5-Coder's layout): text form in the datasets, token form
// in training and serving, the same ids either way; other files within their own budget; the
// ring of recent chunks the editor fills it from.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildFimPrompt, formatFimPrompt, parseFimPrompt } from "../../../src/core/completion/fim-prompt";
import { completionContext, probeContext } from "../../../src/core/completion/context";
import { encodeRepoHeader, formatRepoHeader, parseRepoHeader } from "../../../src/core/completion/repo-prompt";
import { chunkAround, RecentPlaces } from "../../../src/core/completion/recent-chunks";
import { encodeFim, encodePrompt, specialIds } from "../../../src/core/examples/encode-examples";
import { trainBpe } from "../../../src/core/tokenizer";
import { FILE_SEP, REPO_NAME } from "../../../src/core/tokenizer/special-tokens";

const repo = { name: "shop", path: "src/cart.ts", files: [{ path: "src/price.ts", text: "export const tax = 0.2;" }] };

describe("repository-level prompt", () => {
  it("is <|repo_name|>name, the other files, <|file_sep|>path, then the FIM prompt; and parses back", () => {
    const prompt = formatFimPrompt("const a = ", ";\n", repo);
    assert.equal(prompt, `${REPO_NAME}shop\n${FILE_SEP}src/price.ts\nexport const tax = 0.2;\n${FILE_SEP}src/cart.ts\n<|fim_prefix|>const a = <|fim_suffix|>;\n<|fim_middle|>`);
    assert.deepEqual(parseFimPrompt(prompt), { prefix: "const a = ", suffix: ";\n", repo });
    assert.deepEqual(parseFimPrompt(formatFimPrompt("x", "y")), { prefix: "x", suffix: "y" });
    assert.equal(parseFimPrompt(`garbage<|fim_prefix|>x<|fim_suffix|>y<|fim_middle|>`), null, "text before the markers that is no header");
    assert.equal(parseRepoHeader(`${REPO_NAME}shop\n${FILE_SEP}no-newline-after-text`), null);
    assert.deepEqual(parseRepoHeader(formatRepoHeader({ name: "n", path: "p" })), { name: "n", path: "p" });
  });

  it("as ids: the name and the path always, other files while their budget lasts, cut at their end", () => {
    const encode = (t: string) => [...t].map((c) => c.charCodeAt(0));
    const ids = { repoName: -1, fileSep: -2 };
    const wide = (extraTokens: number) => ({ contextTokens: 4096, promptTokens: 4000, extraTokens });
    const all = encodeRepoHeader(encode, ids, repo, wide(1000));
    assert.deepEqual(all, [-1, ...encode("shop\n"), -2, ...encode("src/price.ts\n"), ...encode("export const tax = 0.2;\n"), -2, ...encode("src/cart.ts\n")]);
    const cut = encodeRepoHeader(encode, ids, repo, wide(24));
    assert.deepEqual(cut, [-1, ...encode("shop\n"), -2, ...encode("src/price.ts\n"), ...encode("export con"), -2, ...encode("src/cart.ts\n")]);
    assert.deepEqual(encodeRepoHeader(encode, ids, repo, wide(20)), [-1, ...encode("shop\n"), -2, ...encode("src/cart.ts\n")], "no file whose label and a few tokens do not fit");
    const longName = encodeRepoHeader(encode, ids, { name: "x".repeat(500), path: "p" }, wide(0));
    assert.equal(longName.length, 1 + 32 + 1 + 2, "a label is cut to 32 tokens");
    assert.equal(longName[32], "\n".charCodeAt(0), "and keeps its newline");
  });

  it("goes before the FIM markers; within a quarter of the prompt; none for a model with a context under 1,024", () => {
    const fim = { prefix: -10, suffix: -11, middle: -12 };
    assert.deepEqual(buildFimPrompt([1, 2], [3], fim, { maxPromptTokens: 100, suffixShare: 0.25 }, [-1, 7, -2, 8]), [-1, 7, -2, 8, -10, 1, 2, -11, 3, -12]);
    const encode = (t: string) => [...t].map((c) => c.charCodeAt(0));
    const ids = { repoName: -1, fileSep: -2 };
    const big = { ...repo, files: [{ path: "f", text: "x".repeat(1000) }] };
    assert.equal(encodeRepoHeader(encode, ids, big, { contextTokens: 1024, promptTokens: 600, extraTokens: 1000 }).length, 150, "a quarter of a 600-token prompt");
    assert.equal(encodeRepoHeader(encode, ids, big, { contextTokens: 4096, promptTokens: 4000, extraTokens: 40 }).length, 19 + 40, "or the extra budget, if smaller");
    assert.deepEqual(encodeRepoHeader(encode, ids, repo, { contextTokens: 1023, promptTokens: 1000 }), [], "a small model's prompt keeps its room for the file");
  });

  it("training and the datasets' text form give the same ids (what the model is trained on is what it is asked)", async () => {
    const tok = await trainBpe(["export const tax = 0.2;\nconst a = 1;\n".repeat(20)], { vocabSize: 300 });
    const s = specialIds(tok);
    const fromText = encodePrompt(tok, formatFimPrompt("const a = ", ";\n", repo), 600, 2048);
    const direct = encodeFim(tok, "const a = ", ";\n", 600, undefined, repo, 2048);
    assert.deepEqual(fromText, direct);
    assert.equal(direct[0], tok.addedTokenId(REPO_NAME));
    assert.ok(direct.includes(s.fimPrefix) && direct.indexOf(tok.addedTokenId(FILE_SEP)) < direct.indexOf(s.fimPrefix));
    assert.deepEqual(encodeFim(tok, "const a = ", ";\n", 600, undefined, undefined, 2048).slice(0, 1), [s.fimPrefix], "no repository: a plain FIM prompt");
    assert.deepEqual(encodeFim(tok, "const a = ", ";\n", 600, undefined, repo, 512).slice(0, 1), [s.fimPrefix], "a small model: no header");
  });

  it("the editor's context cuts other files to the extra budget's characters; probes with a repository get the header", () => {
    const big = { name: "r", path: "a.ts", files: [{ path: "b.ts", text: "b".repeat(5000) }, { path: "c.ts", text: "c".repeat(10) }] };
    const ctx = completionContext("x", "y", { budget: { prefixTokens: 10, suffixTokens: 10, extraTokens: 100 }, mode: "line" }, big);
    assert.deepEqual(ctx.repo?.files?.map((f) => f.text.length), [800]);
    assert.deepEqual(probeContext({ prefix: "p", suffix: "s", path: "f.ts", repo: "shop" }).repo, { name: "shop", path: "f.ts" });
    assert.equal(probeContext({ prefix: "p", suffix: "s", path: "f.ts" }).repo, undefined, "an older dataset's probe: plain FIM");
  });
});

describe("recent places", () => {
  it("keeps one place per file, most recent first, at most maxFiles, without the current file", () => {
    const ring = new RecentPlaces(2);
    ring.note("a.ts", 50);
    ring.note("b.ts", 0);
    assert.deepEqual(ring.others("x.ts"), [{ path: "b.ts", line: 0 }, { path: "a.ts", line: 50 }]);
    ring.note("b.ts", 7);
    assert.deepEqual(ring.others("x.ts"), [{ path: "b.ts", line: 7 }, { path: "a.ts", line: 50 }], "typing on moves the place");
    ring.note("a.ts", 99);
    assert.deepEqual(ring.others("x.ts").map((p) => p.path), ["a.ts", "b.ts"]);
    ring.note("c.ts", 10);
    assert.deepEqual(ring.others("x.ts").map((p) => p.path), ["c.ts", "a.ts"], "at most maxFiles");
    assert.deepEqual(ring.others("c.ts").map((p) => p.path), ["a.ts"]);
    ring.forget("a.ts");
    assert.deepEqual(ring.others("x.ts").map((p) => p.path), ["c.ts"]);
  });

  it("a chunk is the lines around the place, inside the file", () => {
    assert.deepEqual(chunkAround(50, 100, 4), { from: 48, to: 52 });
    assert.deepEqual(chunkAround(0, 100, 4), { from: 0, to: 4 });
    assert.deepEqual(chunkAround(99, 100, 4), { from: 96, to: 100 });
    assert.deepEqual(chunkAround(3, 2, 32), { from: 0, to: 2 });
  });
});
