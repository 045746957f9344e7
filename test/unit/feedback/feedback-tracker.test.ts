// The feedback tracker on a simulated editor: a document as a string, edits applied to it
// and reported as the editor reports them, and a clock the test moves.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { parseFimPrompt } from "../../../src/core/completion/fim-prompt";
import type { FeedbackEvent, PreferencePair, ShownCompletion } from "../../../src/core/feedback/feedback-types";
import { cutToMode, FeedbackTracker, type TextChange } from "../../../src/core/feedback/feedback-tracker";

let now = 0;
let doc = "";
let events: FeedbackEvent[] = [];
let pairs: PreferencePair[] = [];
let tracker: FeedbackTracker;
const URI = "file:///w/a.ts";

function edit(offset: number, removedLength: number, insertedText: string): void {
  doc = doc.slice(0, offset) + insertedText + doc.slice(offset + removedLength);
  const change: TextChange = { offset, removedLength, insertedText };
  tracker.documentChanged(URI, [change]);
}
function type(offset: number, text: string): number {
  for (const ch of text) edit(offset++, 0, ch);
  return offset;
}
function show(offset: number, text: string, mode: "line" | "block" = "line", id = "c1"): ShownCompletion {
  const c: ShownCompletion = { id, document: URI, path: "a.ts", languageId: "typescript", offset, prefix: doc.slice(0, offset), suffix: doc.slice(offset), text, mode, model: "student", latencyMs: 42, shownAt: now };
  tracker.shown(c);
  return c;
}
const tick = () => tracker.tick((d) => (d === URI ? doc : undefined));

beforeEach(() => {
  now = 1000;
  doc = "function add(a, b) {\n  return \n}\n";
  events = [];
  pairs = [];
  tracker = new FeedbackTracker({ event: (e) => events.push(e), pair: (p) => pairs.push(p) }, { rejectAfterMs: 10_000, observeForMs: 60_000, isSecret: (t) => t.includes("AKIA") }, () => now);
});

const cursor = () => doc.indexOf("return ") + "return ".length;

describe("feedback tracker", () => {
  it("records an acceptance at once, with the context, model and latency, and makes no pair", () => {
    show(cursor(), "a + b;");
    edit(cursor(), 0, "a + b;");
    tracker.accepted("c1");
    assert.equal(events.length, 1);
    assert.deepEqual([events[0]!.outcome, events[0]!.shown, events[0]!.model, events[0]!.latencyMs], ["accepted", "a + b;", "student", 42]);
    assert.equal(events[0]!.prefix, "function add(a, b) {\n  return ");
    assert.equal(pairs.length, 0);
    assert.equal(tracker.pendingCount, 0);
  });

  it("typing something else over a suggestion is a rejection whose chosen text is what was typed", () => {
    const at = cursor();
    show(at, "a - b;");
    now += 2000;
    const end = type(at, "a + b;");
    now += 3000;
    tick();
    assert.equal(events.length, 0, "still inside the 10 s window");
    now += 6000;
    type(end, "\n"); // the user finished the line
    tick();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.outcome, "rejected");
    assert.equal(events[0]!.written, "a + b;");
    assert.equal(pairs.length, 1);
    assert.deepEqual([pairs[0]!.chosen, pairs[0]!.rejected, pairs[0]!.source], ["a + b;", "a - b;", "editor"]);
    assert.deepEqual(parseFimPrompt(pairs[0]!.prompt), { prefix: "function add(a, b) {\n  return ", suffix: "\n}\n" });
  });

  it("keeps following the place when text is inserted above it", () => {
    const at = cursor();
    show(at, "a - b;");
    edit(0, 0, "// header\n");
    const moved = at + "// header\n".length;
    type(moved, "a * b;\n");
    now += 11_000;
    tick();
    assert.equal(events[0]?.written, "a * b;");
    assert.equal(pairs[0]?.chosen, "a * b;");
  });

  it("a dismissed suggestion with nothing written is rejected after a minute without a pair", () => {
    show(cursor(), "a - b;");
    now += 30_000;
    tick();
    assert.equal(events.length, 0, "still observing what the user writes");
    now += 31_000;
    tick();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.outcome, "rejected");
    assert.equal(events[0]!.written, "");
    assert.equal(pairs.length, 0);
  });

  it("a word-by-word accept followed by other typing is partial, with the characters taken", () => {
    const at = cursor();
    show(at, "a + b + c;");
    edit(at, 0, "a "); // Ctrl+Right: the first word
    edit(at + 2, 0, "+ "); // and the next
    const end = type(at + 4, "d;\n");
    assert.ok(end > at);
    now += 11_000;
    tick();
    assert.equal(events[0]?.outcome, "partial");
    assert.equal(events[0]?.acceptedChars, 4);
    assert.equal(pairs[0]?.chosen, "a + d;");
    // 4 of the 10 characters were taken: the pair counts for the 60% refused.
    assert.equal(pairs[0]?.weight, 0.6);
  });

  it("typing exactly the suggestion counts as accepted", () => {
    const at = cursor();
    show(at, "a + b;");
    type(at, "a + b;\n");
    now += 11_000;
    tick();
    assert.equal(events[0]?.outcome, "accepted");
    assert.equal(pairs.length, 0);
  });

  it("block mode reads up to a blank line", () => {
    doc = "if (x) {\n";
    const at = doc.length;
    show(at, "  y();\n}", "block");
    type(at, "  z();\n  w();\n}\n\nnext");
    now += 11_000;
    tick();
    assert.equal(events[0]?.written, "  z();\n  w();\n}");
  });

  it("a newer offer at the same place supersedes the older one", () => {
    show(cursor(), "a;", "line", "old");
    show(cursor(), "b;", "line", "new");
    assert.equal(tracker.pendingCount, 1);
    tracker.accepted("old");
    assert.equal(events.length, 0);
    tracker.accepted("new");
    assert.equal(events[0]?.id, "new");
  });

  it("never stores a text that holds a secret: the outcome is kept, the texts are dropped", () => {
    const at = cursor();
    show(at, "a - b;");
    type(at, "'AKIA0000EXAMPLE';\n");
    now += 11_000;
    tick();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.outcome, "rejected");
    assert.equal(events[0]!.written, "");
    assert.equal(events[0]!.shown, "");
    assert.equal(pairs.length, 0);
  });

  it("a closed document settles its suggestions", () => {
    show(cursor(), "a;");
    now += 11_000;
    tracker.tick(() => undefined);
    assert.equal(events[0]?.outcome, "rejected");
  });

  it("cutToMode keeps one line or one block", () => {
    assert.equal(cutToMode("abc\ndef", "line"), "abc");
    assert.equal(cutToMode("a\nb\n\nc", "block"), "a\nb");
    assert.equal(cutToMode("a\nb", "block"), "a\nb");
  });
});

describe("feedback log on disk", () => {
  it("writes events and pairs as JSON lines and counts the acceptance rate", async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { feedbackFileSink, feedbackPaths, readAcceptanceStats } = await import("../../../src/core/feedback/feedback-log");
    const out = mkdtempSync(join(tmpdir(), "repotune-feedback-"));
    try {
      const t = new FeedbackTracker(feedbackFileSink(out), { rejectAfterMs: 0, observeForMs: 0, isSecret: () => false }, () => now);
      tracker = t;
      const at = cursor();
      show(at, "x;", "line", "a");
      t.accepted("a");
      show(at, "y;", "line", "b");
      type(at, "z;\n");
      t.tick(() => doc);
      const stats = readAcceptanceStats(out);
      assert.deepEqual([stats.shown, stats.accepted, stats.rejected, stats.rate], [2, 1, 1, 0.5]);
      const pairsOnDisk = readFileSync(feedbackPaths(out).preferences, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(pairsOnDisk.map((p: PreferencePair) => [p.chosen, p.rejected, p.source]), [["z;", "y;", "editor"]]);
      assert.deepEqual(Object.keys(pairsOnDisk[0]).sort(), ["chosen", "path", "prompt", "rejected", "source"], "the pair records the file it was typed in (held out by file)");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
