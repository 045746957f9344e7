// The host's feed of the data folder into the page: what it sends on load, while a run's
// log grows, when a new run starts, and when the user picks a past run. Every message it
// sends must pass the page's validator.
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parseDashboardUpdate, type DashboardUpdate } from "../../../src/core/protocol";
import { RunFeed } from "../../../src/extension/dashboard/run-feed";
import { makeFixtureEvents, writeFixtureFeedback, writeFixtureRun } from "../../fixtures/dashboard/fixture-run";

const root = mkdtempSync(join(tmpdir(), "repotune-feed-"));
after(() => rmSync(root, { recursive: true, force: true }));

const log = { warn: () => {}, info: () => {}, error: () => {} } as never;

function harness(dir: string) {
  const sent: DashboardUpdate[] = [];
  const feed = new RunFeed(() => dir, (u) => sent.push(parseDashboardUpdate(JSON.parse(JSON.stringify(u)))), log);
  // Polls run from a timer in VS Code; here each tick is driven by hand.
  const tick = async (times = 4) => {
    for (let i = 0; i < times; i++) await (feed as unknown as { tick(): Promise<void> }).tick();
  };
  const take = () => sent.splice(0);
  return { feed, tick, take };
}

describe("dashboard host: run feed", () => {
  it("replays the newest run, then follows its log, then a new run", async () => {
    const dir = join(root, "a");
    writeFixtureRun(dir, { runId: "20250601-100000-aaaa", end: "done", progressPoints: 9000 });
    writeFixtureFeedback(dir, 50);
    const { feed, tick, take } = harness(dir);
    await feed.start();
    feed.stop();
    let sent = take();
    assert.deepEqual(
      sent.filter((m) => m.type === "runs").map((m) => m.type === "runs" && m.selected),
      ["20250601-100000-aaaa"],
      "one run list, with the newest run selected",
    );
    const batches = sent.filter((m) => m.type === "events");
    assert.ok(batches.length >= 3, "a long log goes in several batches");
    assert.equal(batches.filter((b) => b.type === "events" && b.reset).length, 1, "only the first batch resets");
    const total = batches.reduce((n, b) => n + (b.type === "events" ? b.events.length : 0), 0);
    assert.equal(total, makeFixtureEvents({ end: "done", progressPoints: 9000 }).length);
    const report = sent.find((m) => m.type === "report");
    assert.ok(report?.type === "report" && report.report?.stages.dpo?.exactMatch === 0.291);
    const dataset = sent.find((m) => m.type === "dataset");
    assert.ok(dataset?.type === "dataset" && dataset.dataset?.filesExcluded === 12);
    const feedback = sent.find((m) => m.type === "feedback");
    assert.ok(feedback?.type === "feedback" && feedback.feedback.accepted + feedback.feedback.rejected + feedback.feedback.partial === 50);

    // Nothing changed: a tick sends nothing.
    await tick();
    assert.deepEqual(take(), []);

    // A new run starts: the page follows it (it was showing the newest).
    const events = makeFixtureEvents({ runId: "20250602-100000-bbbb", end: "running", progressPoints: 200 });
    const runDir = writeFixtureRun(dir, { runId: "20250602-100000-bbbb", end: "running", progressPoints: 200 });
    await tick();
    sent = take();
    const switched = sent.filter((m) => m.type === "runs").at(-1);
    assert.ok(switched?.type === "runs" && switched.selected === "20250602-100000-bbbb" && switched.runs[0]?.status === "running");
    assert.ok(sent.some((m) => m.type === "events" && m.reset && m.runId === "20250602-100000-bbbb"));
    assert.ok(sent.some((m) => m.type === "report" && m.report === null), "no report yet for a running run");

    // Its log grows: only the new lines go, without a reset; a half-written line waits.
    const more = makeFixtureEvents({ runId: "20250602-100000-bbbb", end: "done", progressPoints: 200 }).slice(events.length);
    appendFileSync(join(runDir, "events.jsonl"), more.map((e) => JSON.stringify(e) + "\n").join("") + '{"v":1,"ti');
    await tick(1);
    sent = take();
    const appended = sent.filter((m) => m.type === "events");
    assert.equal(appended.length, 1);
    assert.ok(appended[0]?.type === "events" && !appended[0].reset && appended[0].events.length === more.length);
    feed.dispose();
  });

  it("stays on a past run the user picked, and refuses a run that is not there", async () => {
    const dir = join(root, "b");
    writeFixtureRun(dir, { runId: "20250601-100000-old1", end: "failed", progressPoints: 100 });
    writeFixtureRun(dir, { runId: "20250602-100000-new1", end: "done", progressPoints: 100 });
    const { feed, tick, take } = harness(dir);
    await feed.start("20250601-100000-old1"); // restored after a reload
    feed.stop();
    let sent = take();
    assert.ok(sent.some((m) => m.type === "runs" && m.selected === "20250601-100000-old1"));
    assert.ok(sent.some((m) => m.type === "events" && m.runId === "20250601-100000-old1" && m.reset));
    writeFixtureRun(dir, { runId: "20250603-100000-new2", end: "running", progressPoints: 100 });
    await tick();
    sent = take();
    assert.ok(sent.every((m) => m.type !== "events"), "a picked past run is not replaced by a new one");
    assert.ok(sent.some((m) => m.type === "runs" && m.runs.length === 3 && m.selected === "20250601-100000-old1"));
    await feed.select("20261231-000000-gone", false);
    assert.ok(take().some((m) => m.type === "notice" && /not in the data folder/.test(m.text)));
    feed.dispose();
  });

  it("shows nothing, without failing, when there is no data folder yet", async () => {
    const { feed, take } = harness(join(root, "missing"));
    await feed.start();
    feed.stop();
    const sent = take();
    assert.ok(sent.some((m) => m.type === "runs" && m.runs.length === 0 && m.selected === null));
    feed.dispose();
  });
});
