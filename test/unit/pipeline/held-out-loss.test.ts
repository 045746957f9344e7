// Held-out loss in bits per byte, and its yardsticks measured on the same target bytes.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fitByteNgram } from "../../../src/core/math/byte-baselines";
import { baselineBitsPerByte, modelLoss } from "../../../src/pipeline/evaluation/held-out-loss";

const dir = mkdtempSync(join(tmpdir(), "repotune-loss-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const probe = (prefix: string, target: string) => ({ prefix, suffix: "", target, path: "h.ts", line: 1 });

describe("held-out loss", () => {
  it("turns a model's log-probabilities of the targets into bits per byte (UTF-8 bytes)", async () => {
    const scorer = { score: async (_prompt: string, completions: readonly string[]) => completions.map((c) => -Math.LN2 * 2 * new TextEncoder().encode(c).length) };
    // 2 bits a byte, whatever the text: "é" is 2 bytes.
    const loss = await modelLoss(scorer, [probe("a", "xyz"), probe("b", "é")]);
    assert.ok(Math.abs(loss.bitsPerByte! - 2) < 1e-12);
    assert.deepEqual(loss.perProbe.map((x) => Math.round(x! * 1e9) / 1e9), [2, 2]);
    assert.deepEqual(await modelLoss(scorer, []), { bitsPerByte: null, perProbe: [] });
  });

  it("keeps one figure per loss probe, in order, null where a target was not scored, and weights the total by bytes", async () => {
    // "xyz" at 1 bit a byte, "too long" not scorable, "é" (2 bytes) at 4 bits a byte.
    const scorer = { score: async (_p: string, [c]: readonly string[]) => [c === "too long" ? -Infinity : c === "xyz" ? -Math.LN2 * 3 : -Math.LN2 * 8] };
    const loss = await modelLoss(scorer, [probe("a", "xyz"), probe("", "no prefix"), probe("b", "too long"), probe("c", "é")]);
    assert.equal(loss.perProbe.length, 3, "the probe without a prefix is not a loss probe");
    assert.ok(Math.abs(loss.perProbe[0]! - 1) < 1e-12);
    assert.equal(loss.perProbe[1], null);
    assert.ok(Math.abs(loss.perProbe[2]! - 4) < 1e-12);
    assert.ok(Math.abs(loss.bitsPerByte! - 11 / 5) < 1e-12, `(3 + 8) bits over 5 bytes, got ${loss.bitsPerByte}`);
  });

  it("a byte 4-gram fitted on the training files beats the unigram on code like them, and conditions on the prefix", () => {
    const data = join(dir, "dataset");
    mkdirSync(data, { recursive: true });
    const line = (i: number) => `export function add${i % 7}(a: number, b: number): number {\n  return a + b;\n}\n`;
    writeFileSync(join(data, "pretrain.jsonl"), Array.from({ length: 300 }, (_, i) => JSON.stringify({ text: line(i), path: `f${i}.ts` }) + "\n").join(""));
    const probes = [probe("export function add3(a: number, b: number): number {\n  ", "return a + b;"), probe("export function add", "5(a: number, b: number): number {")];
    const b = baselineBitsPerByte(data, probes);
    assert.ok(b.ngram4! < b.unigram! / 3, `4-gram ${b.ngram4} vs unigram ${b.unigram}`);
    assert.ok(b.trainBytes > 10_000);
    const ngram = fitByteNgram([line(1), line(2)], 4);
    assert.ok(ngram.bitsOf("  return a + ", "b;").bitsPerByte < ngram.bitsOf("zzz", "b;").bitsPerByte, "the text before the target counts");
  });
});
