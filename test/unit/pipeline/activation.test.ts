// "A new model is activated only when it is better": the rule on paired scores, and which model
// it is compared with (the active one on the same probes, its base for a first run).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { decideActivation } from "../../../src/pipeline/evaluation/activation";
import { EVAL_ITEMS_FILE, type EvalItems } from "../../../src/pipeline/evaluation/eval-items";
import { judgeActivation } from "../../../src/pipeline/evaluation/judge-activation";

const scores = (em: number[], ac = em) => ({ exactMatch: em, acceptedChars: ac, editSimilarity: em.map((x) => 100 * x) });
const n = 120;
const weak = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0));
const strong = weak.map((x, i) => (i % 4 === 1 ? 1 : x));
const probes = Array.from({ length: n }, (_, i) => ({ prefix: `p${i}`, suffix: "", target: `t${i}`, path: "a.ts", line: i + 1 }));

const dir = mkdtempSync(join(tmpdir(), "repotune-activation-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("activation", () => {
  it("activates a model significantly better in one figure and not worse in the other", () => {
    const d = decideActivation({ name: "student", items: scores(strong, weak) }, { name: "the base", items: scores(weak, weak) });
    assert.equal(d.better, true);
    assert.match(d.reason, /^the student is better than the base on 120 held-out probes: exact match \+25\.0 pts \(p 0\.0\d+, better\), accepted chars \+0\.0 pts \(p 1\.000, no significant difference\)$/);
  });

  it("keeps the active model when the new one is worse in either figure, or no better", () => {
    const worseInOne = decideActivation({ name: "student", items: scores(strong, weak.map(() => 0)) }, { name: "the base", items: scores(weak, weak) });
    assert.equal(worseInOne.better, false);
    assert.match(worseInOne.reason, /is worse than the base/);
    const same = decideActivation({ name: "student", items: scores(weak) }, { name: "the base", items: scores(weak) });
    assert.equal(same.better, false);
    assert.match(same.reason, /is not significantly better than the base/);
  });

  it("compares with the active model on the very same probes, from its own run's scores", async () => {
    const runs = join(dir, "runs");
    mkdirSync(join(runs, "old"), { recursive: true });
    const activeGguf = join(runs, "old", "student.gguf");
    writeFileSync(activeGguf, "old model bytes");
    const theirs: EvalItems = { probes, rows: { student: scores(strong), base: scores(weak) } };
    writeFileSync(join(runs, "old", EVAL_ITEMS_FILE), JSON.stringify(theirs));
    const candidate = join(dir, "new.gguf");
    writeFileSync(candidate, "new model bytes");
    const mine: EvalItems = { probes, rows: { student: scores(weak.map((x, i) => (i % 4 === 2 ? 1 : x))), base: scores(weak) } };
    const active = { gguf: activeGguf, runId: "old", role: "student" as const, activatedAt: "" };
    const verdict = await judgeActivation({ candidate: { gguf: candidate, role: "student", items: mine }, active, runsDir: runs });
    assert.equal(verdict.against, "the active model (run old)");
    assert.equal(verdict.better, false, "as good as the active model is not better: it stays");
    // Against the base alone the same scores would have won: the active model was the yardstick.
    const first = await judgeActivation({ candidate: { gguf: candidate, role: "student", items: mine }, active: undefined, runsDir: runs });
    assert.equal(first.better, true);
    assert.equal(first.against, "the base (the model the run started from)");
  });

  it("a model already serving is not replaced by itself, and an unevaluated one never replaces a model", async () => {
    const gguf = join(dir, "same.gguf");
    writeFileSync(gguf, "bytes");
    const copy = join(dir, "copy.gguf");
    writeFileSync(copy, "bytes");
    const active = { gguf: copy, runId: "r1", role: "student" as const, activatedAt: "" };
    const same = await judgeActivation({ candidate: { gguf, role: "student", items: { probes, rows: { student: scores(weak) } } }, active, runsDir: dir });
    assert.deepEqual([same.better, same.reason], [true, "the same model already serves completions"]);
    const unevaluated = await judgeActivation({ candidate: { gguf: join(dir, "other.gguf"), role: "student", items: null }, active, runsDir: dir });
    assert.equal(unevaluated.better, false);
    assert.match(unevaluated.reason, /was not evaluated, so it does not replace the active model \(run r1\)/);
  });
});
