// Both directions of the dashboard's messages are validated: the host refuses a malformed
// request from the page, the page refuses a malformed update from the host.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDashboardRequest, parseDashboardUpdate, PROTOCOL_VERSION } from "../../../src/core/protocol";
import { applyUpdate, createPageState } from "../../../webview/dashboard/model/page-state";
import { makeFixtureEvents, REPORT } from "../../fixtures/dashboard/fixture-run";
import { normalizeReport } from "../../../src/extension/dashboard/feed/report";

const v = PROTOCOL_VERSION;

describe("dashboard requests (page -> host)", () => {
  it("accepts every well-formed request", () => {
    const ok = [
      { v, type: "ready" },
      { v, type: "ready", runId: "20250601-100000-tiny" },
      { v, type: "selectRun", runId: "20261126-143512-ab12" },
      { v, type: "action", action: "fineTune", preset: "micro" },
      { v, type: "action", action: "exportModel", format: "hf", runId: "r1" },
      { v, type: "action", action: "openDataFolder" },
      { v, type: "action", action: "useModel", runId: "r1" },
    ];
    for (const m of ok) assert.deepEqual(parseDashboardRequest(m), m);
  });

  const bad: [string, unknown, RegExp][] = [
    ["not an object", "ready", /expected an object/],
    ["an array", [1], /expected an object/],
    ["another version", { v: 99, type: "ready" }, /protocol version/],
    ["an unknown type", { v, type: "deleteEverything" }, /unknown message type/],
    ["an Object.prototype name as type", { v, type: "constructor" }, /unknown message type/],
    ["toString as type", { v, type: "toString" }, /unknown message type/],
    ["an unknown action", { v, type: "action", action: "rm -rf" }, /field "action"/],
    ["an unknown preset", { v, type: "action", action: "fineTune", preset: "huge" }, /field "preset"/],
    ["an unknown export format", { v, type: "action", action: "exportModel", format: "onnx" }, /field "format"/],
    ["a run id that climbs out of runs/", { v, type: "selectRun", runId: ".." }, /field "runId"/],
    ["a run id with a path", { v, type: "selectRun", runId: "../../etc" }, /field "runId"/],
    ["a missing run id", { v, type: "selectRun" }, /field "runId"/],
    ["a numeric run id", { v, type: "ready", runId: 5 }, /field "runId"/],
  ];
  for (const [what, message, error] of bad) {
    it(`rejects ${what}`, () => assert.throws(() => parseDashboardRequest(message), error));
  }
});

describe("dashboard updates (host -> page)", () => {
  const events = makeFixtureEvents({ progressPoints: 40 });

  it("accepts every kind of update the host sends", () => {
    const ok = [
      { v, type: "overview", workspaceName: "w", trusted: true, running: false, activeModel: null, message: "m", defaultPreset: "tiny" },
      { v, type: "runs", runs: [{ id: "r1", startedAt: null, preset: "tiny", status: "done" }], selected: "r1" },
      { v, type: "events", runId: "r1", reset: true, events },
      { v, type: "report", runId: "r1", report: normalizeReport(REPORT) },
      { v, type: "report", runId: "r1", report: null },
      { v, type: "dataset", runId: "r1", dataset: { filesKept: 1, filesExcluded: 1, excludedByReason: { binary: 1 }, excluded: [{ path: "a.png", reason: "binary" }], samplesByKind: { fim: 3 }, tokens: { total: 9 } } },
      { v, type: "feedback", feedback: { accepted: 1, rejected: 2, partial: 0, overTime: [{ start: "2025-01-01T00:00:00.000Z", shown: 3, taken: 1 }], pairsWaiting: 2, skipped: 0 } },
      { v, type: "notice", level: "warn", text: "hello" },
    ];
    for (const m of ok) assert.deepEqual(parseDashboardUpdate(JSON.parse(JSON.stringify(m))), m);
  });

  const bad: [string, unknown, RegExp][] = [
    ["null", null, /expected an object/],
    ["another version", { v: 0, type: "notice", level: "info", text: "x" }, /protocol version/],
    ["an unknown type", { v, type: "eval", code: "alert(1)" }, /unknown message type/],
    ["hasOwnProperty as type", { v, type: "hasOwnProperty" }, /unknown message type/],
    ["an overview without its fields", { v, type: "overview", workspaceName: "w" }, /field "trusted"/],
    ["events that are not a list", { v, type: "events", runId: "r", reset: true, events: {} }, /field "events"/],
    ["a malformed event inside a batch", { v, type: "events", runId: "r", reset: false, events: [events[0], { v, time: "t", type: "progress", stage: "pretrain" }] }, /field "events"/],
    ["an event of an unknown stage", { v, type: "events", runId: "r", reset: false, events: [{ v, time: "t", type: "stage-start", stage: "mine-bitcoin", totalSteps: 1 }] }, /field "events"/],
    ["a report with a string number", { v, type: "report", runId: "r", report: { stages: { sft: { exactMatch: "0.5" } } } }, /field "report"/],
    ["a report with an unknown row", { v, type: "report", runId: "r", report: { stages: { gpt5: { exactMatch: 1 } } } }, /field "report"/],
    ["a dataset with a negative count", { v, type: "dataset", runId: "r", dataset: { filesKept: -1, filesExcluded: 0, excludedByReason: {}, excluded: [], samplesByKind: {}, tokens: {} } }, /field "dataset"/],
    ["an excluded file without a reason", { v, type: "dataset", runId: "r", dataset: { filesKept: 1, filesExcluded: 1, excludedByReason: {}, excluded: [{ path: "a" }], samplesByKind: {}, tokens: {} } }, /field "dataset"/],
    ["feedback without counts", { v, type: "feedback", feedback: { accepted: 1 } }, /field "feedback"/],
    ["a run list entry with an unknown status", { v, type: "runs", runs: [{ id: "r", startedAt: null, preset: null, status: "exploded" }], selected: null }, /field "runs"/],
    ["a notice of an unknown level", { v, type: "notice", level: "panic", text: "x" }, /field "level"/],
  ];
  for (const [what, message, error] of bad) {
    it(`rejects ${what}`, () => assert.throws(() => parseDashboardUpdate(message), error));
  }
});

describe("dashboard page state", () => {
  it("follows the host's messages: select, replay, report, then a switch of run", () => {
    const s = createPageState();
    const events = makeFixtureEvents({ progressPoints: 40 });
    applyUpdate(s, { v, type: "runs", runs: [{ id: "r1", startedAt: null, preset: "tiny", status: "done" }, { id: "r0", startedAt: null, preset: "micro", status: "failed" }], selected: "r1" });
    const dirty = applyUpdate(s, { v, type: "events", runId: "r1", reset: true, events: events.slice(0, 20) });
    assert.ok(dirty.has("timeline") && dirty.has("charts"));
    applyUpdate(s, { v, type: "events", runId: "r1", reset: false, events: events.slice(20) });
    assert.equal(s.run.eventCount, events.length);
    applyUpdate(s, { v, type: "report", runId: "r1", report: { stages: REPORT.stages } });
    assert.ok(s.report);
    // A late batch of another run, without a reset, is a leftover: ignored.
    applyUpdate(s, { v, type: "events", runId: "r0", reset: false, events: events.slice(0, 5) });
    assert.equal(s.run.eventCount, events.length);
    // Switching runs drops the old run's report until the new one's arrives.
    applyUpdate(s, { v, type: "runs", runs: s.runs, selected: "r0" });
    assert.equal(s.report, null);
    applyUpdate(s, { v, type: "events", runId: "r0", reset: true, events: events.slice(0, 5) });
    assert.equal(s.run.eventCount, 5);
    assert.equal(s.runId, "r0");
  });

  it("keeps the last few notices", () => {
    const s = createPageState();
    for (let i = 0; i < 9; i++) applyUpdate(s, { v, type: "notice", level: "info", text: `n${i}` });
    assert.deepEqual(s.notices.map((n) => n.text), ["n4", "n5", "n6", "n7", "n8"]);
  });
});
