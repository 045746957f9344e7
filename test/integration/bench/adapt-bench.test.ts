// `repotune bench adapt` end to end at the micro preset, so the benchmark (its corpus, its two
// runs in the training worker, its held-out files' loss, its JSON fields) cannot rot between
// the runs that measure it. The figures themselves are not checked: a micro base learns little.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { formatAdaptBench, lineProbes, repoLanguage, runAdaptBench } from "../../../bench/adapt";
import { makeFixtureRepo } from "../pipeline/fixture-repo";

const root = resolve(__dirname, "..", "..", "..");

describe("bench adapt (micro preset, commander's lib)", { timeout: 600_000 }, () => {
  const repo = makeFixtureRepo();
  const out = mkdtempSync(join(tmpdir(), "repotune-adapt-"));
  after(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it("every line after the first that is not blank is a loss probe, given the text before it", () => {
    const probes = lineProbes("a.ts", "const a = 1;\n\n  return a;\nend");
    assert.deepEqual(probes.map((p) => [p.line, p.target, p.prefix]), [
      [3, "  return a;\n", "const a = 1;\n\n"],
      [4, "end\n", "const a = 1;\n\n  return a;\n"],
    ]);
    assert.equal(repoLanguage(repo), "typescript", "commander's lib is JavaScript: the TypeScript corpus");
  });

  it("pretrains a base on TypeScript's lib, tunes it with LoRA on the repository, and scores both on the held-out files", async () => {
    assert.ok(existsSync(join(root, "out", "training-worker.js")), "build first (node esbuild.config.mjs)");
    const [r] = await runAdaptBench({ repos: [repo], out, preset: "micro", baseSteps: 10, backend: "wasm", root, log: () => undefined });
    assert.ok(r);
    assert.equal(r.language, "typescript");
    assert.ok(r.corpus.files > 50, `TypeScript's lib/*.d.ts: ${r.corpus.files} files`);
    assert.equal(r.corpus.tokensTrained, 10 * 8 * 96, "10 steps of the micro preset's 8 rows of 96 tokens");
    assert.equal(r.tunedRow, "sft");
    assert.ok(r.lossFiles >= 1 && r.lossLines > 20, `${r.lossLines} lines of ${r.lossFiles} files`);
    for (const f of [r.base, r.tuned]) {
      assert.equal(typeof f.exactMatch, "number");
      assert.equal(typeof f.acceptedChars, "number");
      assert.ok(f.loss! > 0 && f.lossCi![0] <= f.loss! && f.loss! <= f.lossCi![1]);
    }
    assert.notEqual(r.base.loss, r.tuned.loss, "the tuned model is another model");
    assert.ok(r.pValue! > 0 && r.pValue! <= 1);
    assert.ok(Math.abs(r.comparisons.loss!.delta - (r.tuned.loss! - r.base.loss!)) < 1e-9, "the paired difference is of the same lines");
    assert.match(formatAdaptBench([r]), /\| tuned \(sft\) \|/);
  });
});
