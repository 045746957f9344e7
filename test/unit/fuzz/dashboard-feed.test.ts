// Fuzzing what the dashboard makes of a run's files (report.json, manifest.json, the lines of
// feedback/events.jsonl and events.jsonl): whatever they hold, the host's reduction never throws
// and always yields a message the page's validator accepts, so a corrupt file shows as missing
// figures and a notice, never as a dead dashboard.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseDashboardUpdate, PROTOCOL_VERSION } from "../../../src/core/protocol";
import { FeedbackAccumulator } from "../../../src/extension/dashboard/feed/feedback";
import { summarizeManifest } from "../../../src/extension/dashboard/feed/manifest";
import { normalizeReport } from "../../../src/extension/dashboard/feed/report";
import { statusOf } from "../../../src/extension/dashboard/feed/runs";
import { checkReader, SEED } from "./harness";

const v = PROTOCOL_VERSION;
const json = fc.jsonValue({ maxDepth: 4 });
/** Values as a corrupt or hand-edited file has them, in the places the readers look. */
const number = fc.oneof(fc.double(), fc.constantFrom(1e300, -1e300, 8.64e15, -8.64e15, 8.64e15 + 1, -1, 0, Number.MAX_VALUE), fc.integer());
const field = fc.oneof(json, number, fc.string({ maxLength: 30 }), fc.constantFrom(null, "2024-01-01T00:00:00Z", "not a date", "accepted", "rejected", "partial"));

describe("fuzzing the dashboard's readers of run files", () => {
  it("report.json of any shape becomes a report the page accepts, or none", () => {
    const row = fc.dictionary(fc.constantFrom("exactMatch", "acceptedChars", "editSimilarity", "preferenceAccuracy", "latencyMsP50", "heldoutItems", "x"), field);
    const report = fc.oneof(json, fc.record({ stages: fc.oneof(json, fc.dictionary(fc.constantFrom("base", "sft", "dpo", "student", "pretrain", "imported", "other", "__proto__"), fc.oneof(row, field))) }));
    fc.assert(
      fc.property(report, (raw) => {
        checkReader([], () => parseDashboardUpdate({ v, type: "report", runId: "r1", report: normalizeReport(raw) }), () => fc.stringify(raw).slice(0, 300));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it("manifest.json of any shape becomes a dataset summary the page accepts, or none", () => {
    const manifest = fc.oneof(
      json,
      fc.record({
        files: fc.oneof(field, fc.record({ kept: field, excluded: field })),
        excluded: fc.oneof(field, fc.array(fc.oneof(field, fc.record({ path: field, reason: field })), { maxLength: 5 })),
        excludedByReason: fc.oneof(field, fc.dictionary(fc.string({ maxLength: 8 }), field)),
        counts: fc.oneof(field, fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(field, fc.dictionary(fc.string({ maxLength: 4 }), field)))),
        tokens: field,
      }, { requiredKeys: [] }),
    );
    fc.assert(
      fc.property(manifest, (raw) => {
        checkReader([], () => parseDashboardUpdate({ v, type: "dataset", runId: "r1", dataset: summarizeManifest(raw) }), () => fc.stringify(raw).slice(0, 300));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it("feedback lines of any shape are summed or skipped, and the summary is one the page accepts", () => {
    const line = fc.oneof(json, fc.record({ time: field, outcome: field, written: field, shown: field, chosen: field }, { requiredKeys: [] }));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.option(number, { nil: null }), (lines, lastDpoAt) => {
        const acc = new FeedbackAccumulator();
        checkReader([], () => {
          for (const l of lines) acc.add(l);
          parseDashboardUpdate({ v, type: "feedback", feedback: acc.summary(lastDpoAt) });
        }, () => fc.stringify(lines).slice(0, 300));
        const s = acc.summary(lastDpoAt);
        assert.equal(s.accepted + s.rejected + s.partial + s.skipped, lines.length, "every line is counted once");
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it("a time far outside what a Date holds is skipped, not a RangeError from toISOString", () => {
    const acc = new FeedbackAccumulator();
    acc.add({ time: 1e300, outcome: "accepted" });
    acc.add({ time: -8.64e15 - 1, outcome: "rejected" });
    acc.add({ time: "2024-05-01T10:00:00Z", outcome: "partial", written: "x", shown: "y" });
    const s = acc.summary(null);
    assert.deepEqual([s.accepted, s.rejected, s.partial, s.skipped], [0, 0, 1, 2]);
    assert.equal(s.overTime.length, 1);
    // Both ends of a Date's range at once: the widest buckets must not start before the first.
    acc.add({ time: -8.64e15, outcome: "accepted" });
    acc.add({ time: 8.64e15, outcome: "accepted" });
    assert.equal(acc.summary(null).accepted, 2);
  });

  it("the end of an events.jsonl of any shape gives a run status", () => {
    const events = fc.array(fc.oneof(json, fc.record({ type: fc.oneof(field, fc.constantFrom("done", "error", "stage-end", "run-start")), status: field }, { requiredKeys: [] })), { maxLength: 20 });
    fc.assert(
      fc.property(events, fc.boolean(), (lines, recent) => {
        checkReader([], () => parseDashboardUpdate({ v, type: "runs", runs: [{ id: "r1", startedAt: null, preset: null, status: statusOf(lines, recent) }], selected: "r1" }), () => fc.stringify(lines).slice(0, 300));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
