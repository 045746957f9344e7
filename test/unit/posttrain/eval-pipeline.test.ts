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
import { isHeldoutPair, loadEvalSet } from "../../../src/pipeline/data/heldout-data";
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
    assert.deepEqual(pairs[0], { prompt: formatFimPrompt("line 0\n", "\nend"), chosen: "return a;", rejected: "return b;", source: "synthetic" });
    for (const p of pairs) {
      assert.equal(p.source, "synthetic");
      assert.notEqual(p.chosen.replace(/\s+/g, ""), p.rejected.replace(/\s+/g, ""));
    }
    assert.ok(["return a;", "}"].includes(pairs[1]!.rejected));
  });

  it("about a fifth of editor pairs are held out, always the same ones, and only those are evaluated", () => {
    const pairs = Array.from({ length: 500 }, (_, i) => ({ prompt: `prompt ${i}`, chosen: "a", rejected: "b", source: "editor" as const }));
    const held = pairs.filter(isHeldoutPair).length;
    assert.ok(held > 70 && held < 130, `${held} of 500 held out`);
    const data = join(dir, "dataset");
    fs.mkdirSync(data, { recursive: true });
    fs.writeFileSync(join(data, "preferences.jsonl"), pairs.map((p) => JSON.stringify(p) + "\n").join(""));
    fs.writeFileSync(join(data, "heldout.jsonl"), [probe("a", 0), probe("b", 1)].map((p) => JSON.stringify(p) + "\n").join("") + '{"torn');
    const set = loadEvalSet(data, { maxProbes: 10, maxPairs: 1000, seed: 1 });
    assert.equal(set.pairs.length, held);
    assert.ok(set.pairs.every(isHeldoutPair));
    assert.deepEqual(set.pairSources, { editor: held, synthetic: 0 });
    assert.equal(set.probes.length, 2);
    assert.match(set.warnings.join("\n"), /torn last line/);
  });

  it("report.json holds every row (null where not run) and reads back through the dashboard's reader; report.md tabulates it", () => {
    const stages = emptyStages();
    stages.sft = { exactMatch: 0.25, editSimilarity: 61.5, preferenceAccuracy: 0.5, latencyMsP50: 12, heldoutItems: 40, preferenceItems: 32 };
    stages.dpo = { exactMatch: 0.2, editSimilarity: 58, preferenceAccuracy: 0.75, latencyMsP50: 11, heldoutItems: 40, preferenceItems: 32 };
    const report: EvalReport = { version: 1, createdAt: "2026-01-01T00:00:00Z", stages, rewardModel: { preferenceAccuracy: 0.625, items: 32 }, preferencePairs: { editor: 0, synthetic: 32 }, config: { preset: "micro" }, wallTimeSec: 75, samples: {}, notes: [] };
    const files = writeReport(join(dir, "run"), report);
    const back = JSON.parse(fs.readFileSync(files.json, "utf8"));
    assert.deepEqual(Object.keys(back.stages), [...EVAL_ROWS]);
    assert.equal(back.stages.base, null);
    assert.deepEqual(normalizeReport(back)?.stages.sft, { exactMatch: 0.25, editSimilarity: 61.5, preferenceAccuracy: 0.5, latencyMsP50: 12, heldoutItems: 40 });
    const md = renderReportMarkdown(report);
    assert.match(md, /\| sft \| 25\.0% \| 61\.5 \| 50\.0% \(32\) \| 12 \| 40 \|/);
    assert.match(md, /\| base \| – \| – \| – \| – \| – \|/);
    assert.match(md, /Reward model: held-out pair accuracy 62\.5% on 32 pairs/);
    assert.match(md, /Wall time: 1 min 15 s/);
    assert.equal(fs.readFileSync(files.md, "utf8"), md);
  });
});
