// The two helpers every reader of untrusted files uses for its messages: previewValue (a value
// shown short, whatever it is) and the UTF-8 / UTF-16 diagnosis of bytes that should be text.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { previewName, previewValue } from "../../../src/core/untrusted/preview-value";
import { firstInvalidUtf8Byte, looksLikeUtf16 } from "../../../src/core/untrusted/text-encoding";

describe("previewValue", () => {
  it("is short and never throws, whatever the value", () => {
    const anything = fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true });
    fc.assert(fc.property(anything, fc.integer({ min: 8, max: 200 }), (v, max) => assert.ok(previewValue(v, max).length <= max)), { seed: 16, numRuns: 1000 });
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.equal(previewValue(deep), "[[[[…]]]]");
    assert.equal(previewValue(10n), "10n");
    assert.equal(previewValue(Object.create(null)), "{}");
    assert.equal(previewValue("x".repeat(1e6)).length <= 80, true);
  });

  it("reads like JSON for the short values messages show", () => {
    assert.equal(previewValue([4, 0]), "[4,0]");
    assert.equal(previewValue({ a: 1, b: "x" }), '{"a":1,"b":"x"}');
    assert.equal(previewValue("F12"), '"F12"');
    assert.equal(previewValue([1, 2, 3, 4, 5, 6]), "[1,2,3,4,…2 more]");
    assert.equal(previewName("a".repeat(100), 10), `"${"a".repeat(10)}…"`);
  });
});

describe("UTF-8 and UTF-16 diagnosis", () => {
  it("finds the first byte that is not UTF-8, after any valid prefix", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 40 }).map((s) => Buffer.from(s, "utf8"));
    const bad = fc.constantFrom([0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8], [0x80]);
    fc.assert(
      fc.property(text, bad, text, (before, b, rest) => {
        // A lone lead byte followed by a continuation of `rest` may still be invalid later: only the position matters.
        const bytes = Buffer.concat([before, Buffer.from(b), Buffer.from([0x20]), rest]);
        assert.equal(firstInvalidUtf8Byte(bytes), before.length);
      }),
      { seed: 16, numRuns: 500 },
    );
    assert.equal(firstInvalidUtf8Byte(Buffer.from("\ufffd ok \ufffd", "utf8")), -1, "a real U+FFFD is valid");
    assert.equal(firstInvalidUtf8Byte(Buffer.concat([Buffer.from("\ufffd", "utf8"), Buffer.from([0xff])])), 3);
  });

  it("tells UTF-16 text from binary data with NULs", () => {
    const code = "def f(x):\n    return x + 1\n";
    assert.equal(looksLikeUtf16(Buffer.from(code, "utf16le")), "UTF-16LE");
    assert.equal(looksLikeUtf16(Buffer.from(code, "utf16le").swap16()), "UTF-16BE");
    assert.equal(looksLikeUtf16(Buffer.alloc(64)), null, "all NULs is not text");
    assert.equal(looksLikeUtf16(Buffer.from([0x65, 0x78, 0, 0xff, 0, 1])), null, "too short to tell");
    assert.equal(looksLikeUtf16(new Uint8Array(new Uint16Array(Array.from({ length: 32 }, (_, i) => i * 3)).buffer)), null, "small integers are not characters");
    assert.equal(looksLikeUtf16(Buffer.from([0xff, 0xfe, 0x41, 0])), "UTF-16LE", "a byte order mark decides alone");
  });
});
