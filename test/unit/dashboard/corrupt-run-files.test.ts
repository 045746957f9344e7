// A run folder whose files are damaged (a truncated report.json, a manifest that is not an
// object, events.jsonl and feedback lines that are garbage or of the wrong shape): the dashboard
// still shows what it can, every message passes the page's validator, and the user is told
// which file could not be read.
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parseDashboardUpdate, type DashboardUpdate } from "../../../src/core/protocol";
import { RunFeed } from "../../../src/extension/dashboard/run-feed";
import { makeFixtureEvents, writeFixtureFeedback, writeFixtureRun } from "../../fixtures/dashboard/fixture-run";

const root = mkdtempSync(join(tmpdir(), "repotune-corrupt-feed-"));
after(() => rmSync(root, { recursive: true, force: true }));

async function load(dir: string): Promise<{ sent: DashboardUpdate[]; warnings: string[] }> {
  const sent: DashboardUpdate[] = [];
  const warnings: string[] = [];
  const log = { warn: (m: string) => warnings.push(m), info: () => {}, error: () => {} } as never;
  const feed = new RunFeed(() => dir, (u) => sent.push(parseDashboardUpdate(JSON.parse(JSON.stringify(u)))), log);
  await feed.start();
  feed.stop();
  return { sent, warnings };
}

const notices = (sent: DashboardUpdate[]) => sent.flatMap((m) => (m.type === "notice" ? [m.text] : []));

describe("dashboard host: damaged run files", () => {
  it("says which file is unreadable and still shows the rest", async () => {
    const dir = join(root, "a");
    const runId = "20250601-100000-aaaa";
    const runDir = writeFixtureRun(dir, { runId, end: "done", progressPoints: 50 });
    writeFixtureFeedback(dir, 20);
    writeFileSync(join(runDir, "report.json"), '{"stages": {"sft": {"exactMatch": 0.2');
    writeFileSync(join(runDir, "manifest.json"), "[1, 2, 3]");
    appendFileSync(join(runDir, "events.jsonl"), '{"v":1,"type":"progress"}\nnot json\n\u0000\u00ff\u00fe\n');
    appendFileSync(join(dir, "feedback", "events.jsonl"), '{"outcome":"accepted","time":1e300}\n[1]\n{broken\n');

    const { sent, warnings } = await load(dir);
    const text = notices(sent).join("\n");
    assert.match(text, new RegExp(`${join(runDir, "report.json").replaceAll("/", "\\/")} is not valid JSON .*; its evaluation figures are not shown`));
    assert.match(text, /manifest\.json is not a JSON object; its dataset figures are not shown/);
    assert.match(text, /3 line\(s\) of this run's events\.jsonl could not be read and were skipped/);
    assert.ok(warnings.some((w) => w.includes("report.json")), "the log names the file too");

    const report = sent.find((m) => m.type === "report");
    assert.ok(report?.type === "report" && report.report === null, "no figures rather than wrong ones");
    const events = sent.flatMap((m) => (m.type === "events" ? m.events : []));
    assert.equal(events.length, makeFixtureEvents({ runId, end: "done", progressPoints: 50 }).length, "every good event still arrives");
    const feedback = sent.find((m) => m.type === "feedback");
    assert.ok(feedback?.type === "feedback" && feedback.feedback.skipped === 3, "the three bad feedback lines are counted as skipped");
  });

  it("a report.json that is JSON but not a report, or empty, is named too", async () => {
    for (const [body, pattern] of [["[]", /has no "stages" object/], ["", /report\.json is empty/]] as const) {
      const dir = join(root, `b${body.length}`);
      const runDir = writeFixtureRun(dir, { runId: "20250601-100000-bbbb", end: "done", progressPoints: 5 });
      writeFileSync(join(runDir, "report.json"), body);
      const { sent } = await load(dir);
      assert.match(notices(sent).join("\n"), pattern);
    }
  });
});
