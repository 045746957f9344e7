import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fitByteNgram, fitUnigram, lmLossToBitsPerByte, type ByteNgramModel } from "../../../src/core/math/byte-baselines";
import { seededRandom } from "../../../src/core/random/seeded-random";

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function sumOverNext(model: ByteNgramModel, context: Uint8Array): { sum: number; min: number } {
  let sum = 0;
  let min = Infinity;
  for (let b = 0; b < 256; b++) {
    const p = model.probability(context, b);
    sum += p;
    min = Math.min(min, p);
  }
  return { sum, min };
}

const JS_LINES = [
  "function add(a, b) {",
  "  const sum = a + b;",
  "  if (sum > 10) return sum - 10;",
  "  return sum;",
  "}",
  "export const items = list.map((x) => add(x, 1));",
  "",
].join("\n");

/** `n` characters drawn uniformly from U+0000..U+007F: one UTF-8 byte each, 7 bits of entropy. */
function randomAscii(seed: number, n: number): string {
  const random = seededRandom(seed);
  const codes = new Array<number>(n);
  for (let i = 0; i < n; i++) codes[i] = Math.floor(random() * 128);
  let out = "";
  for (let i = 0; i < n; i += 8192) out += String.fromCharCode(...codes.slice(i, i + 8192));
  return out;
}

describe("fitUnigram", () => {
  it("gives a repeated byte far below 8 bits, and an unseen byte a finite cost", () => {
    const model = fitUnigram(["a".repeat(10_000)]);
    const seen = model.bitsPerByte(["aaaa"]);
    assert.equal(seen.bytes, 4);
    assert.ok(seen.bitsPerByte < 0.1, `${seen.bitsPerByte}`);
    const unseen = model.bitsPerByte(["z"]);
    assert.ok(Number.isFinite(unseen.bitsPerByte) && unseen.bitsPerByte > 8, `${unseen.bitsPerByte}`);
    // Laplace: p(z) = 1 / (10000 + 256).
    assert.ok(Math.abs(unseen.bitsPerByte - Math.log2(10_256)) < 1e-9);
  });

  it("matches a hand computation with add-one smoothing", () => {
    // "aab": a twice, b once, 3 bytes; p = (count + 1) / (3 + 256).
    const model = fitUnigram(["aa", "b"]);
    assert.equal(model.trainBytes, 3);
    const expected = -(Math.log2(3 / 259) + Math.log2(2 / 259) + Math.log2(1 / 259)) / 3;
    const got = model.bitsPerByte(["ab", "c"]);
    assert.equal(got.bytes, 3);
    assert.ok(Math.abs(got.bitsPerByte - expected) < 1e-9, `${got.bitsPerByte} vs ${expected}`);
  });

  it("counts UTF-8 bytes, not UTF-16 units", () => {
    const model = fitUnigram(["é"]); // C3 A9
    assert.equal(model.trainBytes, 2);
    const e = model.bitsPerByte(["é"]);
    assert.equal(e.bytes, 2);
    // Each of C3 and A9: (1 + 1) / (2 + 256).
    assert.ok(Math.abs(e.bitsPerByte - Math.log2(129)) < 1e-9, `${e.bitsPerByte}`);
    assert.equal(model.bitsPerByte(["日本"]).bytes, 6);
    assert.equal(model.bitsPerByte(["日本", "é", "x"]).bytes, 9);
  });

  it("has no rate on no bytes", () => {
    const got = fitUnigram(["abc"]).bitsPerByte(["", ""]);
    assert.equal(got.bytes, 0);
    assert.ok(Number.isNaN(got.bitsPerByte));
  });
});

describe("fitByteNgram", () => {
  const model = fitByteNgram([JS_LINES.repeat(20), "hello world"], 4);

  it("sums to 1 over the 256 next bytes, every one > 0, for seen, unseen and boundary contexts", () => {
    const contexts: Array<[string, Uint8Array]> = [
      ["seen", utf8("  const su")],
      ["seen, short", utf8("x")],
      ["unseen", new Uint8Array([0xff, 0xfe, 0xfd])],
      ["unseen last byte after a seen prefix", utf8("retur\u0001")],
      ["boundary", new Uint8Array(0)],
    ];
    for (const [name, context] of contexts) {
      const { sum, min } = sumOverNext(model, context);
      assert.ok(Math.abs(sum - 1) < 1e-9, `${name}: sum ${sum}`);
      assert.ok(min > 0, `${name}: min ${min}`);
    }
    // The seen context predicts what followed it.
    assert.ok(model.probability(utf8("  const su"), "m".charCodeAt(0)) > 0.5);
    // The boundary context is the start of a text: "function" and "hello" started texts.
    assert.ok(model.probability(new Uint8Array(0), "f".charCodeAt(0)) > model.probability(new Uint8Array(0), "c".charCodeAt(0)));
  });

  it("sums to 1 when untrained, at every order, and is then uniform", () => {
    for (const order of [1, 2, 4, 6]) {
      const empty = fitByteNgram([], order);
      const { sum, min } = sumOverNext(empty, utf8("abc"));
      assert.ok(Math.abs(sum - 1) < 1e-12, `order ${order}: ${sum}`);
      assert.equal(min, 1 / 256);
      assert.equal(empty.bitsPerByte(["anything"]).bitsPerByte, 8);
    }
  });

  it("matches a hand computation of Witten-Bell at order 2", () => {
    // Train "ab": unigram a=1, b=1 (2 bytes, 2 distinct); contexts: boundary->a, a->b.
    const m = fitByteNgram(["ab"], 2);
    const a = 97;
    const b = 98;
    const p0a = (1 + 2 / 256) / (2 + 2);
    const p0b = p0a;
    const p0z = (0 + 2 / 256) / (2 + 2);
    const close = (x: number, y: number): void => assert.ok(Math.abs(x - y) < 1e-12, `${x} vs ${y}`);
    close(m.probability(new Uint8Array(0), a), (1 + 1 * p0a) / (1 + 1));
    close(m.probability(new Uint8Array(0), b), (0 + 1 * p0b) / (1 + 1));
    close(m.probability(utf8("a"), b), (1 + 1 * p0b) / (1 + 1));
    close(m.probability(utf8("a"), a), p0a / 2);
    // "b" was never followed by anything: straight to the unigram.
    close(m.probability(utf8("b"), a), p0a);
    close(m.probability(utf8("b"), 0x7a), p0z);
  });

  it("scores a text as the mean of -log2 probability(prefix, byte)", () => {
    const text = "const x = add(1, 2); // é";
    const bytes = utf8(text);
    let bits = 0;
    for (let i = 0; i < bytes.length; i++) bits -= Math.log2(model.probability(bytes.subarray(0, i), bytes[i]!));
    const got = model.bitsPerByte([text]);
    assert.equal(got.bytes, bytes.length);
    assert.ok(Math.abs(got.bitsPerByte - bits / bytes.length) < 1e-9);
    // Each text starts afresh at the boundary: two texts score as the two texts scored apart.
    const two = model.bitsPerByte([text, "hello"]);
    const apart = got.bitsPerByte * got.bytes + model.bitsPerByte(["hello"]).bitsPerByte * 5;
    assert.ok(Math.abs(two.bitsPerByte * two.bytes - apart) < 1e-9);
  });

  it("beats the unigram by a wide margin on repetitive code", () => {
    const reps = Array.from({ length: 200 }, (_, i) => JS_LINES.replace("10", String(i % 7)));
    const train = [reps.slice(0, 150).join("")];
    const held = [reps.slice(150).join("")];
    const uni = fitUnigram(train).bitsPerByte(held);
    const ngram = fitByteNgram(train, 4).bitsPerByte(held);
    assert.equal(uni.bytes, ngram.bytes);
    assert.ok(uni.bitsPerByte > 3, `unigram ${uni.bitsPerByte}`);
    assert.ok(ngram.bitsPerByte < uni.bitsPerByte / 2, `4-gram ${ngram.bitsPerByte} vs unigram ${uni.bitsPerByte}`);
  });

  it("stays at or below 8 bits per byte on random bytes from the same source", () => {
    const train = [randomAscii(1, 1 << 18)];
    const held = [randomAscii(2, 1 << 16)];
    const uni = fitUnigram(train).bitsPerByte(held).bitsPerByte;
    const ngram = fitByteNgram(train, 4).bitsPerByte(held).bitsPerByte;
    assert.ok(uni <= 8 + 1e-9 && Math.abs(uni - 7) < 0.01, `unigram ${uni}`);
    assert.ok(ngram <= 8 + 1e-9 && ngram >= 7, `4-gram ${ngram}`);
  });

  it("gives a byte never seen in training a finite cost", () => {
    const got = model.bitsPerByte(["\u0000\u0001\u0002"]).bitsPerByte;
    assert.ok(Number.isFinite(got) && got > 8, `${got}`);
  });

  it("counts UTF-8 bytes, not UTF-16 units", () => {
    const m = fitByteNgram(["日本", "é"]);
    assert.equal(m.trainBytes, 8);
    assert.equal(m.bitsPerByte(["日本"]).bytes, 6);
    // After C3 at the start of a text only A9 was seen.
    assert.ok(m.probability(new Uint8Array([0xc3]), 0xa9) > 0.5);
  });

  it("ignores training text past maxTrainBytes, says so, and stops reading the texts", () => {
    let pulled = 0;
    function* texts(): Generator<string> {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield "abcd";
      }
    }
    const m = fitByteNgram(texts(), 4, { maxTrainBytes: 10 });
    assert.equal(m.trainBytes, 10);
    assert.equal(m.truncated, true);
    assert.equal(pulled, 3);
    // Exactly at the limit is not truncated.
    const exact = fitByteNgram(["abcd", "abcd"], 4, { maxTrainBytes: 8 });
    assert.equal(exact.truncated, false);
    assert.equal(exact.trainBytes, 8);
    assert.equal(fitByteNgram(["abc"]).truncated, false);
  });

  it("rejects orders it cannot key exactly", () => {
    assert.throws(() => fitByteNgram([], 0), RangeError);
    assert.throws(() => fitByteNgram([], 7), RangeError);
    assert.throws(() => fitByteNgram([], 2.5), RangeError);
  });
});

describe("lmLossToBitsPerByte", () => {
  it("converts nats per token to bits per byte", () => {
    assert.ok(Math.abs(lmLossToBitsPerByte(Math.LN2, 10, 10) - 1) < 1e-12);
    // 2 nats/token over 1000 tokens and 4000 bytes: 2000 nats / 4000 bytes / ln 2.
    assert.ok(Math.abs(lmLossToBitsPerByte(2, 1000, 4000) - 0.7213475204444817) < 1e-12);
    assert.equal(lmLossToBitsPerByte(0, 100, 400), 0);
    assert.ok(Number.isNaN(lmLossToBitsPerByte(1, 10, 0)));
  });
});
