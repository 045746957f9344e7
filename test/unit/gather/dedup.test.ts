// Near-duplicate detection: MinHash similarity tracks shingle overlap, and the streaming index
// flags copies (edited or reformatted) while leaving different files of the same style alone.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { scanBytes } from "../../../src/core/gather/byte-scan";
import { Deduplicator } from "../../../src/core/gather/dedup/deduplicator";
import { signatureFromBins, signatureSimilarity } from "../../../src/core/gather/dedup/minhash";
import { longModule } from "../../fixtures/gather/fixture-repo";

const signature = (text: string) => {
  const scan = scanBytes(Buffer.from(text));
  return signatureFromBins(scan.bins, scan.shingles, 1) as Uint32Array;
};
const sha = (text: string) => createHash("sha1").update(text).digest("hex");

describe("MinHash signatures", () => {
  const original = longModule(6_000);

  it("are equal for the same text and for a reindented copy", () => {
    assert.equal(signatureSimilarity(signature(original), signature(original)), 1);
    const reindented = original.replace(/^ {2}/gm, "\t\t").replace(/\n/g, "\n\n");
    assert.equal(signatureSimilarity(signature(original), signature(reindented)), 1);
  });

  it("stay close for a lightly edited copy and far for different code", () => {
    const edited = original.replace("parsetoken0", "parseTokenFirst").replace("renderToken1", "drawToken1");
    assert.ok(signatureSimilarity(signature(original), signature(edited)) >= 0.85);
    const different = "import os\n\nfor root, dirs, files in os.walk('.'):\n    for name in files:\n        print(os.path.join(root, name))\n".repeat(3);
    assert.ok(signatureSimilarity(signature(original), signature(different)) < 0.2);
  });

  it("are not made for files with too few shingles", () => {
    const scan = scanBytes(Buffer.from("x = 1\n"));
    assert.equal(signatureFromBins(scan.bins, scan.shingles, 32), null);
  });
});

describe("Deduplicator", () => {
  const check = (dedup: Deduplicator, path: string, text: string) => {
    const scan = scanBytes(Buffer.from(text));
    return dedup.check(path, sha(text), scan.bins, scan.shingles);
  };

  it("keeps the first of each group and names it in the exclusions of the others", () => {
    const dedup = new Deduplicator();
    const a = longModule(5_000);
    const b = "export const greeting = (name: string) => `hello ${name}`;\n".repeat(3) + longModule(2_000).replace(/function (\w+)/g, "function other_$1");
    assert.equal(check(dedup, "a.ts", a), null);
    assert.equal(check(dedup, "b.ts", b), null);
    assert.deepEqual(check(dedup, "c.ts", a), { path: "c.ts", reason: "exact-duplicate", detail: "same content as a.ts" });
    const nearA = check(dedup, "d.ts", a.replace("parsetoken0", "parseFirstToken"));
    assert.equal(nearA?.reason, "near-duplicate");
    assert.match(nearA?.detail ?? "", /\d+% similar to a\.ts/);
    assert.equal(dedup.exact, 1);
    assert.equal(dedup.nearCount, 1);
  });

  it("compares tiny files for exact copies only", () => {
    const dedup = new Deduplicator();
    assert.equal(check(dedup, "a.py", "x = 1\n"), null);
    assert.equal(check(dedup, "b.py", "x = 2\n"), null);
    assert.equal(check(dedup, "c.py", "x = 1\n")?.reason, "exact-duplicate");
  });
});
