// FIM samples, held-out probes and pretrain chunks are cut from a file's text; whatever the
// text (random lines, CRLF, emoji), their pieces must put the file back together exactly.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { chunkByLines } from "../../../src/core/gather/builders/chunk-lines";
import { contextWindow } from "../../../src/core/gather/builders/context-window";
import { buildFimSamples, fimSampleCount } from "../../../src/core/gather/builders/fim";
import { blockEnd, chooseFimSpans, spanOfKind } from "../../../src/core/gather/builders/fim-spans";
import { BLOCK_PROBE_MAX_LINES, buildHeldoutProbes, uninformative } from "../../../src/core/gather/builders/heldout-probes";
import { LineHashSet } from "../../../src/core/gather/dedup/line-hash-set";
import { buildPretrainRecords } from "../../../src/core/gather/builders/pretrain";
import { LineIndex } from "../../../src/core/gather/text/line-index";
import { seededRandom } from "../../../src/core/random/seeded-random";
import { formatFimPrompt, parseFimPrompt } from "../../../src/core/completion/fim-prompt";
import { FILE_SEP, FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX } from "../../../src/core/tokenizer/special-tokens";

const settings = { prefixChars: 300, suffixChars: 120, charsPerSample: 200, maxPerFile: 8 };
const lineArb = fc.oneof(fc.constantFrom("", "  ", "}", "  return x;", "\tif (a) {", "const 😀 = 1;", "x = 'é'", "    deep();"), fc.string({ maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, " ")));
const textArb = fc.tuple(fc.array(lineArb, { minLength: 1, maxLength: 80 }), fc.constantFrom("\n", "\r\n"), fc.boolean()).map(([lines, eol, finalEol]) => lines.join(eol) + (finalEol ? eol : ""));
const isLoneSurrogate = (s: string) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

describe("FIM samples", () => {
  it("reassemble to a line-aligned piece of the file, in PSM order, never splitting a character", () => {
    fc.assert(
      fc.property(textArb, fc.integer(), (text, seed) => {
        const index = new LineIndex(text);
        for (const sample of buildFimSamples("f.ts", index, settings, seededRandom(seed))) {
          const parts = parseFimPrompt(sample.prompt);
          assert.ok(parts);
          assert.equal(sample.prompt, `${FIM_PREFIX}${parts.prefix}${FIM_SUFFIX}${parts.suffix}${FIM_MIDDLE}`);
          const joined = parts.prefix + sample.completion + parts.suffix;
          const at = text.indexOf(joined);
          assert.ok(at !== -1);
          assert.ok(at === 0 || text[at - 1] === "\n");
          assert.ok(at + joined.length === text.length || joined.endsWith("\n"));
          // Over budget only by the cursor's own line (a window never starts after the cursor's line).
          assert.ok(parts.prefix.length <= settings.prefixChars || !parts.prefix.includes("\n"));
          const firstBreak = parts.suffix.indexOf("\n");
          assert.ok(parts.suffix.length <= settings.suffixChars || firstBreak === -1 || firstBreak === parts.suffix.length - 1);
          if (text.length <= settings.suffixChars) assert.equal(joined, text);
          assert.ok(sample.completion.trim() !== "");
          for (const piece of [parts.prefix, sample.completion, parts.suffix]) assert.ok(!isLoneSurrogate(piece));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("come in proportion to the file's size, at least one, capped", () => {
    assert.equal(fimSampleCount(10, settings), 1);
    assert.equal(fimSampleCount(1_000, settings), 5);
    assert.equal(fimSampleCount(1_000_000, settings), 8);
  });

  it("cut where an editor completes: the rest of a line, the next line, a block to a blank line or dedent", () => {
    const text = "function f(a) {\n  if (a) {\n    return 1;\n  }\n  return 2;\n}\n\nconst z = f(1);\n";
    const index = new LineIndex(text);
    assert.equal(blockEnd(index, 0), 5, "the whole function: stops at the blank line");
    assert.equal(blockEnd(index, 2), 2, "a single deeper line: stops at the dedent");
    const random = seededRandom(3);
    const kinds = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const span = spanOfKind(index, (["line-rest", "next-line", "block", "chars"] as const)[i % 4]!, random);
      if (!span) continue;
      kinds.set(span.kind, (kinds.get(span.kind) ?? 0) + 1);
      const middle = text.slice(span.start, span.end);
      if (span.kind === "line-rest") assert.ok(!middle.includes("\n") && (text[span.end] === "\n" || span.end === text.length));
      if (span.kind === "next-line") assert.ok(!middle.includes("\n") && /^\S/.test(middle) && /^[ \t]*$/.test(text.slice(text.lastIndexOf("\n", span.start - 1) + 1, span.start)));
      if (span.kind === "block") assert.ok(middle.includes("\n") && middle.split("\n").length <= 30);
    }
    assert.equal(kinds.size, 4);
    const spans = chooseFimSpans(index, 50, seededRandom(9));
    assert.equal(new Set(spans.map((s) => `${s.start}:${s.end}`)).size, spans.length, "no span twice");
  });
});

describe("context windows", () => {
  it("take whole lines within the budgets around the span", () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n") + "\n";
    const index = new LineIndex(text);
    const start = text.indexOf("line 50");
    const { from, to } = contextWindow(index, start, start + 7, 40, 20);
    assert.ok(text.slice(from, start).length <= 40);
    assert.ok(text[from - 1] === "\n");
    assert.ok(text.slice(start + 7, to).length <= 21 && text[to - 1] === "\n");
  });
});

describe("held-out probes", () => {
  it("leave out targets that tell nothing: short, closing a block, or also in a training file", () => {
    assert.equal(uninformative("}"), "short");
    assert.equal(uninformative("});"), "short");
    assert.equal(uninformative("  } else {"), "closes-block");
    assert.equal(uninformative("end end;"), "closes-block");
    assert.equal(uninformative("return;"), "closes-block");
    assert.equal(uninformative("return a + b;"), null);
    assert.equal(uninformative("x = 1"), "short");
    assert.equal(uninformative("x = 10"), null);
    const text = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? "// Copyright the authors" : `const value${i} = compute(${i}, ${i * 7});`)).join("\n") + "\n";
    const training = new LineHashSet();
    training.add("  // Copyright   the authors  ");
    const settings = { prefixChars: 300, suffixChars: 120, perFile: 40, charsPerProbe: 10 };
    const withSet = buildHeldoutProbes("h.ts", new LineIndex(text), settings, seededRandom(3), training);
    assert.ok(withSet.probes.length > 5);
    assert.ok(withSet.probes.filter((p) => p.mode !== "block").every((p) => !(p.prefix.slice(p.prefix.lastIndexOf("\n") + 1) + p.target).includes("Copyright")), "a line found in training files is no probe");
    assert.ok((withSet.excluded["in-training-files"] ?? 0) > 0, `excluded: ${JSON.stringify(withSet.excluded)}`);
    const without = buildHeldoutProbes("h.ts", new LineIndex(text), settings, seededRandom(3));
    assert.ok(without.probes.some((p) => p.target.includes("Copyright")), "without the training lines the same file gives such probes");
  });

  it("include block probes, asked in block mode, whose lines are the block's body", () => {
    const body = Array.from({ length: 40 }, (_, i) => `function f${i}(a, b) {\n  const s${i} = a * ${i} + b;\n  return s${i} - a;\n}\n`).join("\n");
    const { probes } = buildHeldoutProbes("b.js", new LineIndex(body), { prefixChars: 300, suffixChars: 120, perFile: 16, charsPerProbe: 10 }, seededRandom(11));
    const blocks = probes.filter((p) => p.mode === "block");
    assert.ok(blocks.length > 0, "some block probes");
    assert.ok(blocks.some((p) => p.target.includes("\n")), "a multi-line one");
  });

  it("the training-line set grows past its first table and finds what it was given, whitespace aside", () => {
    const set = new LineHashSet();
    for (let i = 0; i < 10_000; i++) set.add(`line number ${i}`);
    assert.equal(set.size, 10_000);
    assert.ok(set.has("  line   number 9999 "));
    assert.ok(!set.has("line number 10000"));
    assert.ok(!set.has("   "));
  });

  it("reassemble to a piece of the file, with the cursor's 1-based line; one-line targets in line mode, at most 6 lines in block mode", () => {
    fc.assert(
      fc.property(textArb, fc.integer(), (text, seed) => {
        const { probes } = buildHeldoutProbes("h.py", new LineIndex(text), { prefixChars: 300, suffixChars: 120, perFile: 6, charsPerProbe: 100 }, seededRandom(seed));
        for (const p of probes) {
          const joined = p.prefix + p.target + p.suffix;
          const at = text.indexOf(joined);
          assert.ok(at !== -1);
          assert.equal(text.slice(0, at + p.prefix.length).split("\n").length, p.line);
          assert.ok(p.target.trim() !== "" && uninformative(p.target) === null, `an uninformative target: ${JSON.stringify(p.target)}`);
          if (p.mode === "block") assert.ok(p.target.split("\n").length <= BLOCK_PROBE_MAX_LINES);
          else assert.ok(!p.target.includes("\n") && !p.target.includes("\r"));
        }
        assert.equal(new Set(probes.map((p) => p.line)).size, probes.length, "one probe per line");
      }),
      { numRuns: 200 },
    );
  });
});

describe("pretrain records", () => {
  it("are the file with its path header, in line-aligned chunks that join back to it", () => {
    fc.assert(
      fc.property(textArb, fc.integer({ min: 1, max: 200 }), (text, chunk) => {
        const index = new LineIndex(text);
        const records = buildPretrainRecords("p.ts", index, chunk);
        const header = `${FILE_SEP}p.ts\n`;
        assert.equal(records.map((r) => r.text.slice(header.length)).join(""), text);
        for (const r of records) assert.ok(r.text.startsWith(header) && r.path === "p.ts" && !isLoneSurrogate(r.text));
        const pieces = chunkByLines(index, chunk);
        for (const [start, end] of pieces) {
          const lineAligned = start === 0 || text[start - 1] === "\n";
          assert.ok(lineAligned || end - start <= chunk + 1 || text.slice(start, end).indexOf("\n") === -1);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("the FIM prompt format", () => {
  it("round-trips prefix and suffix", () => {
    assert.deepEqual(parseFimPrompt(formatFimPrompt("a\nb", "c")), { prefix: "a\nb", suffix: "c" });
    assert.equal(parseFimPrompt("not a prompt"), null);
  });
});
