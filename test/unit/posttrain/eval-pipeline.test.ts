// Evaluation around the metrics, with scripted models: figures, samples, synthetic pairs, the
// held-out split of editor pairs, and report.json / report.md.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { formatFimPrompt } from "../../../src/core/completion/fim-prompt";
import { EVAL_ROWS } from "../../../src/core/protocol";
import { normalizeReport } from "../../../src/extension/dashboard/feed/report";
import { pairSplit, loadEvalSet } from "../../../src/pipeline/data/heldout-data";
import { evaluateModel } from "../../../src/pipeline/evaluation/evaluate-model";
import { emptyStages, renderReportMarkdown, writeReport, type EvalReport } from "../../../src/pipeline/evaluation/report";
import type { CompletionScorer, LineCompleter } from "../../../src/core/completion/completer";
import type { HeldoutProbe } from "../../../src/core/store/dataset-files";
import { syntheticPairs } from "../../../src/pipeline/training/synthetic-preferences";

const dir = fs.mkdtempSync(join(tmpdir(), "repotune-eval-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const probe = (target: string, i: number): HeldoutProbe => ({ prefix: `line ${i}\n`, suffix: "\nend", target, path: `f${i % 2}.ts`, line: i + 1 });

/** Answers from a table keyed by prefix; scores by a table keyed by completion. */
function scripted(answers: Record<string, string>, scores: Record<string, number> = {}): LineCompleter & CompletionScorer {
  return {
    async complete({ prefix }) {
      return { text: answers[prefix] ?? "", latencyMs: prefix.length };
    },
    async score(_prompt, completions) {
      return completions.map((c) => scores[c] ?? 0);
    },
  };
}

describe("evaluation with scripted models", () => {
  it("exact match, edit similarity, latency median and preference accuracy", async () => {
    const probes = [probe("return a;", 0), probe("x = 1", 1), probe("}", 2), probe("foo(bar)", 3)];
    const model = scripted({ "line 0\n": "return  a;", "line 1\n": "x = 2", "line 2\n": "}" }, { good: 1, bad: 0, tie: 0 });
    const pairs = [
      { prompt: "p", chosen: "good", rejected: "bad", source: "editor" as const },
      { prompt: "p", chosen: "bad", rejected: "good", source: "editor" as const },
      { prompt: "p", chosen: "tie", rejected: "bad", source: "editor" as const },
    ];
    const { eval: e, samples } = await evaluateModel(model, probes, pairs, { samples: 2 });
    assert.equal(e.exactMatch, 0.5); // "return  a;" and "}"
    // "return  a;" vs "return a;": LCS 9 of 10 + 9 -> 18/19; "x = 2" vs "x = 1": 8/10; "}": 100; "": 0.
    assert.ok(Math.abs(e.editSimilarity! - (100 * (18 / 19) + 80 + 100 + 0) / 4) < 1e-9, `edit similarity ${e.editSimilarity}`);
    // Accepted characters: "return " of "return a;" (7 of 9), "x = " of "x = 1" (4 of 5), all of "}", none of "foo(bar)".
    assert.ok(Math.abs(e.acceptedChars! - (7 / 9 + 4 / 5 + 1 + 0) / 4) < 1e-9, `accepted chars ${e.acceptedChars}`);
    const [low, high] = e.exactMatchCi!;
    assert.ok(low >= 0 && low < 0.5 && high > 0.5 && high <= 1, `interval [${low}, ${high}]`);
    assert.deepEqual(e.modes, { line: { exactMatch: 0.5, editSimilarity: e.editSimilarity, acceptedChars: e.acceptedChars, items: 4 } });
    assert.equal(e.latencyMsP50, 7); // prefixes of length 7 all
    assert.equal(e.preferenceAccuracy, 1 / 3); // a tie is not a win
    assert.equal(e.heldoutItems, 4);
    assert.equal(e.preferenceItems, 3);
    assert.deepEqual(samples.map((s) => s.line), [1, 3]);
  });

  it("a completer without a scorer reports preference accuracy as null", async () => {
    const { eval: e } = await evaluateModel({ complete: async () => ({ text: "", latencyMs: 1 }) }, [probe("x", 0)], [{ prompt: "p", chosen: "a", rejected: "b", source: "editor" }]);
    assert.equal(e.preferenceAccuracy, null);
    assert.equal(e.preferenceItems, 0);
  });

  it("synthetic pairs: rejected is the model's own line where it is wrong, a line from elsewhere where it is right", async () => {
    const probes = [probe("return a;", 0), probe("x = 1", 1), probe("}", 2)];
    const model = scripted({ "line 0\n": "return b;", "line 1\n": "x  =  1" });
    const { pairs, stats } = await syntheticPairs(model, probes, { seed: 1 });
    assert.deepEqual(stats, { fromModel: 1, fromElsewhere: 2, skipped: 0 });
    assert.deepEqual(pairs[0], { prompt: formatFimPrompt("line 0\n", "\nend"), chosen: "return a;", rejected: "return b;", source: "synthetic", path: "f0.ts", rejectedBy: "policy" });
    assert.ok(pairs.slice(1).every((p) => p.rejectedBy === "elsewhere"));
    for (const p of pairs) {
      assert.equal(p.source, "synthetic");
      assert.notEqual(p.chosen.replace(/\s+/g, ""), p.rejected.replace(/\s+/g, ""));
    }
    assert.ok(["return a;", "}"].includes(pairs[1]!.rejected));
  });

  it("held-out synthetic pairs reject the base model's line, or a line of the same file, and say which", async () => {
    const probes = [probe("return a;", 0), probe("x = 1", 1), probe("y = 22", 2), probe("z = 333", 3), probe("w = 4444", 4), probe("v = 55555", 5)];
    const base = scripted({ "line 0\n": "return b;" }); // right nowhere else: those pairs take a line from the same file
    const { pairs } = await syntheticPairs(base, probes, { seed: 2, rejectedBy: "base-model", elsewhere: "same-file" });
    assert.equal(pairs[0]!.rejectedBy, "base-model");
    for (const p of pairs.slice(1)) {
      assert.equal(p.rejectedBy, "same-file");
      const source = probes.find((q) => q.target === p.rejected)!;
      assert.equal(source.path, p.path, "the rejected line comes from the pair's own file");
    }
  });

  it("editor pairs are held out by the file they were typed in (the probes' files), old pairs without one by a fifth of prompts; policy pairs are never evaluated", () => {
    const data = join(dir, "dataset");
    fs.mkdirSync(data, { recursive: true });
    fs.writeFileSync(join(data, "manifest.json"), JSON.stringify({ split: { heldoutPaths: ["src/held.ts"] } }));
    const inFile = (path: string, i: number) => ({ prompt: `prompt ${i}`, chosen: "a", rejected: "b", source: "editor" as const, path });
    const pairs = [...Array.from({ length: 30 }, (_, i) => inFile("src/held.ts", i)), ...Array.from({ length: 70 }, (_, i) => inFile("src/train.ts", 100 + i))];
    const legacy = Array.from({ length: 500 }, (_, i) => ({ prompt: `old prompt ${i}`, chosen: "a", rejected: "b", source: "editor" as const }));
    const split = pairSplit(data);
    assert.equal(pairs.filter(split).length, 30);
    assert.ok(pairs.filter(split).every((p) => p.path === "src/held.ts"));
    const heldLegacy = legacy.filter(split).length;
    assert.ok(heldLegacy > 70 && heldLegacy < 130, `${heldLegacy} of 500 legacy pairs held out`);
    fs.writeFileSync(join(data, "preferences.jsonl"), [...pairs, ...legacy].map((p) => JSON.stringify(p) + "\n").join(""));
    fs.writeFileSync(join(data, "heldout.jsonl"), [probe("a", 0), probe("b", 1)].map((p) => JSON.stringify(p) + "\n").join("") + '{"torn');
    const extra = join(dir, "heldout-pairs.jsonl");
    const synthetic = [
      { prompt: "s1", chosen: "x", rejected: "y", source: "synthetic", rejectedBy: "policy" },
      { prompt: "s2", chosen: "x", rejected: "z", source: "synthetic", rejectedBy: "base-model" },
    ];
    fs.writeFileSync(extra, synthetic.map((p) => JSON.stringify(p) + "\n").join(""));
    const set = loadEvalSet(data, { maxProbes: 10, maxPairs: 1000, seed: 1, pairFiles: [extra] });
    assert.equal(set.pairs.filter((p) => p.source === "editor").length, 30 + heldLegacy);
    assert.deepEqual(set.pairs.filter((p) => p.source === "synthetic").map((p) => p.rejectedBy), ["base-model"], "a pair rejecting the policy's own output is a built-in win, never evaluated");
    assert.deepEqual(set.pairSources, { editor: 30 + heldLegacy, synthetic: 1 });
    assert.equal(set.probes.length, 2);
    assert.match(set.warnings.join("\n"), /torn last line/);
  });

  it("report.json holds every row (null where not run) and reads back through the dashboard's reader; report.md tabulates it", () => {
    const stages = emptyStages();
    const figures = { acceptedChars: 0.4, exactMatchCi: [0.125, 0.375] as [number, number], editSimilarityCi: [55, 68] as [number, number], acceptedCharsCi: [0.3, 0.5] as [number, number] };
    stages.sft = { exactMatch: 0.25, editSimilarity: 61.5, ...figures, modes: { line: { exactMatch: 0.3, editSimilarity: 64, acceptedChars: 0.45, items: 30 }, block: { exactMatch: 0.1, editSimilarity: 54, acceptedChars: 0.25, items: 10 } }, preferenceAccuracy: 0.5, latencyMsP50: 12, heldoutItems: 40, preferenceItems: 32 };
    stages.dpo = { exactMatch: 0.2, editSimilarity: 58, ...figures, modes: {}, preferenceAccuracy: 0.75, latencyMsP50: 11, heldoutItems: 40, preferenceItems: 32 };
    const comparisons = [{ a: "sft" as const, b: "dpo" as const, metric: "exactMatch" as const, delta: -0.05, p: 0.02 }];
    const report: EvalReport = { version: 2, createdAt: "2026-01-01T00:00:00Z", stages, rewardModel: { preferenceAccuracy: 0.625, items: 32 }, preferencePairs: { editor: 0, synthetic: 32 }, config: { preset: "micro" }, comparisons, wallTimeSec: 75, samples: {}, notes: [] };
    const files = writeReport(join(dir, "run"), report);
    const back = JSON.parse(fs.readFileSync(files.json, "utf8"));
    assert.deepEqual(Object.keys(back.stages), [...EVAL_ROWS]);
    assert.equal(back.stages.base, null);
    assert.deepEqual(normalizeReport(back)?.stages.sft, { exactMatch: 0.25, acceptedChars: 0.4, editSimilarity: 61.5, preferenceAccuracy: 0.5, latencyMsP50: 12, heldoutItems: 40 });
    const md = renderReportMarkdown(report);
    assert.match(md, /\| sft \| 25\.0% \[12\.5, 37\.5\] \| 40\.0% \[30\.0, 50\.0\] \| 61\.5 \[55\.0, 68\.0\] \| 50\.0% \(32\) \| 12 \| 40 \(30 \/ 10\) \|/);
    assert.match(md, /\| base \| – \| – \| – \| – \| – \| – \|/);
    assert.match(md, /\| sft \| block \| 10\.0% \| 25\.0% \| 54\.0 \| 10 \|/);
    assert.match(md, /\| sft \| dpo \| exactMatch \| -5\.0 pts \| 0\.020 \| worse \|/);
    assert.match(md, /\*\*accepted chars\*\*: the share of the truth's characters/);
    assert.match(md, /Reward model: held-out pair accuracy 62\.5% on 32 pairs/);
    assert.match(md, /Wall time: 1 min 15 s/);
    assert.equal(fs.readFileSync(files.md, "utf8"), md);
  });
});
