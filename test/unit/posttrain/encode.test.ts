// How records become token rows: FIM budgets, prompt masking, packing, shared-prompt pairs,
// and line probes cut from FIM samples.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { formatFimPrompt } from "../../../src/core/completion/fim-prompt";
import { ENDOFTEXT, FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX } from "../../../src/core/tokenizer/special-tokens";
import type { Tokenizer } from "../../../src/core/tokenizer";
import { encodeFim, encodePromptCompletion, encodeSharedPrompt, packDocuments } from "../../../src/core/examples/encode-examples";
import { lineProbeFromFim } from "../../../src/pipeline/data/line-probes";
import { toyTokenizer, TOY_CODE } from "./toy";

describe("post-training encoders", () => {
  let tok: Tokenizer;
  let ids: { pre: number; suf: number; mid: number; eos: number };
  before(async () => {
    tok = await toyTokenizer();
    ids = { pre: tok.addedTokenId(FIM_PREFIX), suf: tok.addedTokenId(FIM_SUFFIX), mid: tok.addedTokenId(FIM_MIDDLE), eos: tok.addedTokenId(ENDOFTEXT) };
  });

  it("a FIM prompt that fits is the markers around the whole prefix and suffix (PSM order)", () => {
    const prefix = "export function addOne(a: number): number {\n  return ";
    const suffix = "\n}\n";
    const got = encodeFim(tok, prefix, suffix, 500);
    assert.deepEqual(got, [ids.pre, ...tok.encode(prefix), ids.suf, ...tok.encode(suffix), ids.mid]);
    // The same ids as encoding the prompt string with specials on: training and serving agree.
    assert.deepEqual(got, tok.encode(formatFimPrompt(prefix, suffix), { allowSpecial: true }));
  });

  it("a FIM prompt over budget keeps the prefix's end and the suffix's start, the suffix at most a quarter", () => {
    const prefix = TOY_CODE.join("").repeat(4);
    const suffix = TOY_CODE.join("").repeat(4);
    const budget = 64;
    const got = encodeFim(tok, prefix, suffix, budget);
    assert.equal(got.length, budget);
    const s = got.indexOf(ids.suf);
    const preIds = tok.encode(prefix);
    const sufIds = tok.encode(suffix);
    assert.deepEqual(got.slice(1, s), preIds.slice(preIds.length - (s - 1)), "prefix tail");
    assert.deepEqual(got.slice(s + 1, -1), sufIds.slice(0, got.length - s - 2), "suffix head");
    assert.equal(got.length - s - 2, Math.floor((budget - 3) / 4));
  });

  it("a short prefix leaves its room to the suffix", () => {
    const got = encodeFim(tok, "x", TOY_CODE.join("").repeat(4), 40);
    assert.equal(got.length, 40);
    assert.equal(got[1], tok.encode("x")[0]);
    assert.equal(got[2], ids.suf);
  });

  it("prompt + completion: the completion ends with <|endoftext|> and the loss starts at it", () => {
    const row = encodePromptCompletion(tok, formatFimPrompt("a = ", ";\n"), "1 + 2", 64)!;
    const comp = tok.encode("1 + 2");
    assert.deepEqual(row.ids.slice(row.completionStart), [...comp, ids.eos]);
    assert.equal(row.ids[row.completionStart - 1], ids.mid);
  });

  it("a long completion is cut at half the row, without <|endoftext|> (it did not end there)", () => {
    const row = encodePromptCompletion(tok, "docstring", TOY_CODE.join("").repeat(3), 63)!;
    assert.equal(row.ids.length - row.completionStart, 32);
    assert.ok(row.ids.length <= 64);
    assert.notEqual(row.ids[row.ids.length - 1], ids.eos);
  });

  it("packing joins documents with <|endoftext|> and cuts windows of seqLen + 1 that overlap by one", () => {
    const rows = packDocuments(tok, TOY_CODE, 16);
    const stream: number[] = [];
    TOY_CODE.forEach((t, i) => stream.push(...(i ? [ids.eos] : []), ...tok.encode(t)));
    assert.ok(rows.length >= 2);
    for (const [i, row] of rows.entries()) {
      assert.ok(row.length <= 17);
      assert.deepEqual(row, stream.slice(i * 16, i * 16 + row.length));
    }
    assert.equal(stream.filter((t) => t === ids.eos).length, TOY_CODE.length - 1);
  });

  it("a pair's chosen and rejected rows share the same prompt tokens", () => {
    const rows = encodeSharedPrompt(tok, formatFimPrompt(TOY_CODE.join(""), "\n}"), ["return a + 1;", "return the wrong thing entirely, much longer;"], 48)!;
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!.completionStart, rows[1]!.completionStart);
    assert.deepEqual(rows[0]!.ids.slice(0, rows[0]!.completionStart), rows[1]!.ids.slice(0, rows[1]!.completionStart));
    assert.ok(rows.every((r) => r.ids.length <= 49));
    assert.equal(encodeSharedPrompt(tok, "p", ["x", ""], 48), null);
  });

  it("a line probe cut from a FIM sample reassembles to the same file", () => {
    const prefix = "function f() {\n  const x = ";
    const completion = "compute(1);\n  return x;";
    const suffix = "\n}\n";
    const probe = lineProbeFromFim({ prompt: formatFimPrompt(prefix, suffix), completion, kind: "fim", path: "a.ts" })!;
    assert.equal(probe.target, "compute(1);");
    assert.equal(probe.prefix + probe.target + probe.suffix, prefix + completion + suffix);
    // A middle inside a line that goes on after it is not a line completion.
    assert.equal(lineProbeFromFim({ prompt: formatFimPrompt("a", "b + c;\n"), completion: "x", kind: "fim", path: "a.ts" }), null);
    assert.equal(lineProbeFromFim({ prompt: "Document this", completion: "x", kind: "docstring", path: "a.ts" }), null);
  });
});
