// What the host reads for the dashboard: run folders, a growing events.jsonl, report.json,
// the dataset manifest and the feedback log.
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FeedbackAccumulator } from "../../../src/extension/dashboard/feed/feedback";
import { JsonlTail } from "../../../src/extension/dashboard/feed/jsonl-tail";
import { summarizeManifest } from "../../../src/extension/dashboard/feed/manifest";
import { normalizeReport } from "../../../src/extension/dashboard/feed/report";
import { listRuns, statusOf } from "../../../src/extension/dashboard/feed/runs";
import { FIXTURE_START, makeFeedbackRecords, MANIFEST, REPORT, writeFixtureRun } from "../../fixtures/dashboard/fixture-run";

const root = mkdtempSync(join(tmpdir(), "repotune-dash-"));
after(() => rmSync(root, { recursive: true, force: true }));

describe("dashboard host: files", () => {
  it("tails a JSONL file: whole lines only, a partial line waits, a UTF-8 character split across reads survives", async () => {
    const path = join(root, "tail.jsonl");
    writeFileSync(path, '{"a":1}\n{"b":');
    const tail = new JsonlTail(path);
    let chunk = await tail.read();
    assert.deepEqual(chunk.records, [{ a: 1 }]);
    assert.ok(tail.pendingPartialLine);
    const euro = Buffer.from('"€"}\n', "utf8");
    appendFileSync(path, euro.subarray(0, 2)); // half of the € sign
    chunk = await tail.read();
    assert.deepEqual(chunk.records, []);
    appendFileSync(path, Buffer.concat([euro.subarray(2), Buffer.from("not json\n")]));
    chunk = await tail.read();
    assert.deepEqual(chunk.records, [{ b: "€" }]);
    assert.equal(chunk.malformed, 1);
    writeFileSync(path, '{"c":3}\n'); // replaced by a shorter file
    chunk = await tail.read();
    assert.ok(chunk.restarted);
    assert.deepEqual(chunk.records, [{ c: 3 }]);
    assert.deepEqual((await new JsonlTail(join(root, "absent.jsonl")).read()).records, []);
  });

  it("lists runs newest first with how each ended", async () => {
    const data = join(root, "data");
    writeFixtureRun(data, { runId: "20250601-100000-done", end: "done" });
    writeFixtureRun(data, { runId: "20250602-100000-failed", end: "failed" });
    // A run whose log stopped mid-stage long ago, and whose run.json names a dead worker.
    const cut = writeFixtureRun(data, { runId: "20250603-100000-cut", end: "running" });
    writeFileSync(join(cut, "run.json"), JSON.stringify({ runId: "x", job: { preset: "small" }, status: "running", startedAt: "2025-06-03T10:00:00.000Z", pid: 2 ** 22 + 12345 }));
    mkdirSync(join(data, "runs", "empty-folder"));
    const runs = await listRuns(data, FIXTURE_START + 10 * 86_400_000);
    assert.deepEqual(
      runs.map((r) => [r.id, r.status, r.preset]),
      [
        ["20250603-100000-cut", "incomplete", "small"],
        ["20250602-100000-failed", "failed", "tiny"],
        ["20250601-100000-done", "done", "tiny"],
      ],
    );
    assert.deepEqual(await listRuns(join(root, "nothing-here")), []);
  });

  it("reads a run's status from its last events; a resume's start overrides an earlier end", () => {
    assert.equal(statusOf([{ type: "done" }], false), "done");
    assert.equal(statusOf([{ type: "stage-end", status: "cancelled" }], false), "cancelled");
    assert.equal(statusOf([{ type: "stage-end", status: "cancelled" }, { type: "run-start" }, { type: "progress" }], true), "running");
    assert.equal(statusOf([{ type: "progress" }], false), "incomplete");
  });

  it("reduces report.json to the table's rows and numbers", () => {
    assert.deepEqual(normalizeReport(REPORT)?.stages.dpo, REPORT.stages.dpo);
    assert.equal(normalizeReport(REPORT)?.stages.base, null);
    const odd = normalizeReport({ stages: { sft: { exactMatch: "high", extra: 1 }, mystery: {} } });
    assert.deepEqual(odd, { stages: { sft: { exactMatch: null, acceptedChars: null, editSimilarity: null, preferenceAccuracy: null, latencyMsP50: null, heldoutItems: null } } });
    assert.equal(normalizeReport("nope"), null);
    // The serving filter's figures and the reward model's AUC come along; anything else does not.
    assert.deepEqual(normalizeReport(REPORT)?.filter, { mode: "balanced", heldBackShare: 0.225, exactMatchShown: 0.301, exactMatchAll: 0.243, addedLatencyMsP50: 6.4, auc: 0.684 });
    assert.equal(normalizeReport({ stages: {}, filter: { mode: "lenient" } })?.filter, undefined);
  });

  it("summarizes the dataset manifest, with every excluded file and its reason", () => {
    const d = summarizeManifest(MANIFEST)!;
    assert.equal(d.filesKept, 412);
    assert.equal(d.filesExcluded, 12);
    assert.equal(d.excluded.find((e) => e.path === ".env")?.reason, "looks like a secret (.env)");
    assert.equal(d.excludedByReason.lockfile, 2);
    assert.equal(d.samplesByKind.fim, 3120);
    assert.deepEqual(d.tokens, { pretrain: 1_284_330, sft: 402_118 });
    // Other spellings: counts by reason from the list, nested kinds, a single token total.
    const alt = summarizeManifest({ keptFiles: ["a", "b"], excludedFiles: [{ file: "x.bin", why: "binary" }], kinds: { sft: { fim: 2 } }, tokens: 99 })!;
    assert.deepEqual([alt.filesKept, alt.filesExcluded, alt.excludedByReason, alt.samplesByKind, alt.tokens], [2, 1, { binary: 1 }, { "sft/fim": 2 }, { total: 99 }]);
    assert.equal(summarizeManifest(null), null);
  });

  it("sums feedback: counts, acceptance over time, and pairs not yet trained on", () => {
    const acc = new FeedbackAccumulator();
    const records = makeFeedbackRecords(120);
    for (const r of records) acc.add(r);
    acc.add({ outcome: "accepted" }); // no time
    acc.add("garbage");
    const all = acc.summary(null);
    assert.equal(all.accepted + all.rejected + all.partial, 120);
    assert.equal(all.skipped, 2);
    assert.equal(all.overTime.reduce((n, b) => n + b.shown, 0), 120);
    const expectedPairs = records.filter((r) => r.outcome !== "accepted" && String(r.written).trim() !== "" && r.written !== r.shown).length;
    assert.equal(all.pairsWaiting, expectedPairs);
    // Pairs recorded before the newest finished run started were trained on already.
    const half = Date.parse(String(records[60]!.time));
    assert.ok(acc.summary(half).pairsWaiting < expectedPairs);
    assert.equal(acc.summary(Date.parse("2100-01-01")).pairsWaiting, 0);
  });
});
