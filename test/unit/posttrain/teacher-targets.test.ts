// The on-disk teacher targets: round trip, size, float16 precision, and errors that name the
// file and the problem when it is truncated or not ours.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { TeacherTargetsReader, TeacherTargetsWriter } from "../../../src/core/formats/teacher-targets";
import { topKLogProbs } from "../../../src/core/math/top-k";
import { randn, seeded } from "./helpers";

const dir = fs.mkdtempSync(join(tmpdir(), "repotune-tt-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function sequence(rand: () => number, length: number, vocab: number, k: number) {
  const tokens = Array.from({ length }, () => Math.floor(rand() * vocab));
  const mask = tokens.map((_, i) => (i < length - 1 && i % 3 !== 0 ? 1 : 0));
  const ids: number[] = [];
  const logProbs: number[] = [];
  for (let p = 0; p < length; p++) {
    const top = topKLogProbs(randn(rand, vocab, 3), k);
    ids.push(...top.ids);
    logProbs.push(...top.logProbs);
  }
  return { tokens, mask, ids, logProbs };
}

describe("teacher targets file", () => {
  for (const vocab of [300, 70000]) {
    it(`round-trips ids exactly and log-probs to float16 precision (vocabulary ${vocab})`, () => {
      const rand = seeded(vocab);
      const k = 8;
      const path = join(dir, `t${vocab}.bin`);
      const w = new TeacherTargetsWriter(path, { k, vocabSize: vocab, teacher: "test" });
      const seqs = [5, 1, 17].map((l) => sequence(rand, l, vocab, k));
      for (const s of seqs) w.append(s);
      assert.ok(!fs.existsSync(path), "the file appears only on close");
      w.close();
      const r = TeacherTargetsReader.open(path);
      assert.equal(r.count, 3);
      assert.equal(r.positions, 23);
      assert.deepEqual(r.meta, { k, vocabSize: vocab, teacher: "test" });
      // Read out of order: random access is what shuffled training needs.
      for (const i of [2, 0, 1]) {
        const got = r.read(i);
        const want = seqs[i]!;
        assert.deepEqual(Array.from(got.tokens), want.tokens);
        assert.deepEqual(Array.from(got.mask), want.mask);
        assert.deepEqual(Array.from(got.ids), want.ids);
        for (let j = 0; j < want.logProbs.length; j++) {
          const err = Math.abs(got.logProbs[j]! - want.logProbs[j]!);
          // float16 has a 10-bit mantissa: relative error at most 2^-11.
          assert.ok(err <= Math.abs(want.logProbs[j]!) * 2 ** -11 + 1e-7, `log-prob ${j}: ${got.logProbs[j]} vs ${want.logProbs[j]}`);
        }
      }
      r.close();
      // Compact: k * (idBytes + 2) per position plus the tokens and mask, not 4 * V.
      const idBytes = vocab < 0xffff ? 2 : 4;
      const perPosition = fs.statSync(path).size / 23;
      assert.ok(perPosition < k * (idBytes + 2) + 16 + 400 / 23, `${perPosition} bytes per position`);
    });
  }

  it("marks unused slots (vocabulary smaller than k) as -1 and -Infinity", () => {
    const path = join(dir, "small-vocab.bin");
    const w = new TeacherTargetsWriter(path, { k: 6, vocabSize: 4, teacher: "t" });
    const top = topKLogProbs([0.1, 2, -1, 0.5], 6);
    w.append({ tokens: [1], mask: [1], ids: top.ids, logProbs: top.logProbs });
    w.close();
    const got = TeacherTargetsReader.open(path).read(0);
    assert.deepEqual(Array.from(got.ids), [1, 3, 0, 2, -1, -1]);
    assert.equal(got.logProbs[5], -Infinity);
  });

  it("a truncated file is refused with the file's name and the reason", () => {
    const path = join(dir, "trunc.bin");
    const w = new TeacherTargetsWriter(path, { k: 2, vocabSize: 10, teacher: "t" });
    w.append({ tokens: [1, 2], mask: [1, 0], ids: [1, 2, 3, 4], logProbs: [-0.1, -2, -0.5, -1] });
    w.close();
    const bytes = fs.readFileSync(path);
    fs.writeFileSync(path, bytes.subarray(0, bytes.length - 5));
    assert.throws(() => TeacherTargetsReader.open(path), (e: Error) => e.message.includes(path) && /truncated/.test(e.message));
    fs.writeFileSync(path, Buffer.from("something else entirely, long enough"));
    assert.throws(() => TeacherTargetsReader.open(path), /not a teacher-targets file/);
  });

  it("an aborted writer leaves nothing behind, and shapes are checked on append", () => {
    const path = join(dir, "aborted.bin");
    const w = new TeacherTargetsWriter(path, { k: 2, vocabSize: 10, teacher: "t" });
    assert.throws(() => w.append({ tokens: [1, 2], mask: [1, 0], ids: [1, 2], logProbs: [0, 0] }), /expected 4 ids/);
    assert.throws(() => w.append({ tokens: [1], mask: [1], ids: [1, 12], logProbs: [0, 0] }), /outside the vocabulary/);
    w.abort();
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith("aborted")), []);
  });
});
