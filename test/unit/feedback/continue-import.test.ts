// Continue's autocomplete log into our feedback: both schemas, records of other repositories,
// secrets and junk skipped with their reason, a pair where the same place was accepted once and
// rejected once, and importing twice adding nothing.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, describe, it } from "node:test";
import { importContinueAutocomplete } from "../../../src/core/feedback/import/continue-autocomplete";
import { importFeedback } from "../../../src/core/feedback/import/import-feedback";
import { parseFimPrompt } from "../../../src/core/completion/fim-prompt";
import { readJsonlFile } from "../../../src/core/store/jsonl-reader";
import { feedbackPaths } from "../../../src/core/feedback/feedback-log";
import { plantedSecrets } from "../../fixtures/gather/planted-secrets";

const root = mkdtempSync(join(tmpdir(), "repotune-continue-"));
after(() => rmSync(root, { recursive: true, force: true }));
const repo = join(root, "shop");
const file = (p: string) => join(repo, p);
const token = plantedSecrets().find((s) => s.kind === "github-token")!.value;

// As Continue writes them: 0.2.0 with schema and eventName; 0.1.0 without.
const log = [
  { schema: "0.2.0", eventName: "autocomplete", timestamp: "2026-11-30T10:00:00.000Z", prefix: "const total = ", suffix: ";\n", completion: "price * qty", accepted: true, filepath: pathToFileURL(file("src/cart.ts")).href, modelName: "qwen2.5-coder:1.5b", gitRepo: "shop", completionId: "c1" },
  { schema: "0.2.0", eventName: "autocomplete", timestamp: "2026-11-30T10:00:05.000Z", prefix: "const total = ", suffix: ";\n", completion: "0", accepted: false, filepath: pathToFileURL(file("src/cart.ts")).href, modelName: "qwen2.5-coder:1.5b", completionId: "c2" },
  { prefix: "def f(", suffix: "", completion: "x, y):", accepted: true, filepath: file("tools/f.py"), modelName: "starcoder2", time: 1764496800000 },
  { prefix: "x", suffix: "", completion: "y", accepted: true, filepath: join(root, "elsewhere", "a.ts") },
  { prefix: "const auth = ", suffix: "", completion: `"token ${token}"`, accepted: true, filepath: file("src/api.ts") },
  { prefix: "a", suffix: "", completion: "  ", accepted: false, filepath: file("src/a.ts") },
  { hello: "world" },
  "not an object",
];

describe("importing Continue's autocomplete log", () => {
  it("turns both schemas into events, makes a pair where one place was accepted and rejected, and skips the rest with reasons", () => {
    const r = importContinueAutocomplete(log, repo);
    assert.deepEqual(r.read, { "0.2.0": 2, "0.1.0": 4 });
    assert.deepEqual(r.skipped, { "outside-repository": 1, secret: 1, "empty-completion": 1, "missing-fields": 1, "not-an-object": 1 });
    assert.deepEqual(r.events.map((e) => [e.path, e.outcome, e.written]), [["src/cart.ts", "accepted", "price * qty"], ["src/cart.ts", "rejected", ""], ["tools/f.py", "accepted", "x, y):"]]);
    assert.equal(r.events[0]!.id, "continue:c1");
    assert.equal(r.events[2]!.time, "2025-11-30T10:00:00.000Z");
    assert.equal(r.pairs.length, 1);
    const pair = r.pairs[0]!;
    assert.deepEqual([pair.chosen, pair.rejected, pair.source, pair.path], ["price * qty", "0", "editor", "src/cart.ts"]);
    assert.deepEqual(parseFimPrompt(pair.prompt), { prefix: "const total = ", suffix: ";\n", repo: { name: "shop", path: "src/cart.ts" } }, "the repository-level prompt the editor would have asked with");
    assert.ok(!JSON.stringify(r).includes(token), "the secret went nowhere");
  });

  it("writes events and pairs where the editor's own go, and a second import adds nothing", () => {
    const path = join(root, "autocomplete.jsonl");
    writeFileSync(path, `${log.map((l) => JSON.stringify(l)).join("\n")}\n{"torn`);
    const out = join(root, "out");
    const first = importFeedback({ file: path, repo, out });
    assert.equal(first.corruptLines, 1);
    assert.equal(readJsonlFile(feedbackPaths(out).events).records.length, 3);
    assert.equal(readJsonlFile(feedbackPaths(out).preferences).records.length, 1);
    const second = importFeedback({ file: path, repo, out });
    assert.equal(second.events.length, 0);
    assert.equal(second.skipped["already-imported"], 3);
    assert.equal(readJsonlFile(feedbackPaths(out).events).records.length, 3);
    assert.throws(() => importFeedback({ file: join(root, "missing.jsonl"), repo, out }), /does not exist: give Continue's autocomplete\.jsonl/);
  });
});
