// Tabby's event log into our feedback. The lines are built as Tabby writes them: serde's
// externally tagged `LogEntry { user, ts, event }` of TabbyML/tabby
// crates/tabby-common/src/api/event.rs (commit 21b29048d7bcf6b94f9f482f2d0fd05efadfd19f), one
// JSON object a line in TABBY_ROOT/events/YYYY-MM-DD.json (crates/tabby/src/services/event.rs),
// and its older shapes from that file's history (no segments and "selected", May 2023).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, describe, it } from "node:test";
import { importTabbyEvents, type TabbyRepo } from "../../../src/core/feedback/import/tabby-events";
import { defaultFeedbackSource, detectFeedbackSource, importFeedback } from "../../../src/core/feedback/import/import-feedback";
import { gitRemotes, normalizeGitUrl } from "../../../src/core/feedback/import/git-remotes";
import { parseFimPrompt } from "../../../src/core/completion/fim-prompt";
import { readJsonlFile } from "../../../src/core/store/jsonl-reader";
import { feedbackPaths } from "../../../src/core/feedback/feedback-log";
import { plantedSecrets } from "../../fixtures/gather/planted-secrets";

const root = mkdtempSync(join(tmpdir(), "repotune-tabby-"));
after(() => rmSync(root, { recursive: true, force: true }));
const repo = join(root, "shop");
mkdirSync(join(repo, ".git"), { recursive: true });
writeFileSync(join(repo, ".git", "config"), '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:Acme/shop.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch "main"]\n\tremote = origin\n');
mkdirSync(join(repo, "src"), { recursive: true });
writeFileSync(join(repo, "src", "util.py"), "a = 1\n");
const token = plantedSecrets().find((s) => s.kind === "github-token")!.value;

let ts = Date.parse("2024-06-01T09:00:00.000Z");
const entry = (event: unknown) => ({ user: null, ts: (ts += 1000), event });
const GIT_URL = "https://github.com/acme/shop";
const completion = (id: string, segments: Record<string, unknown>, text: string, language = "python") =>
  entry({ completion: { completion_id: id, language, prompt: `<|fim_prefix|>${String(segments.prefix)}<|fim_suffix|>${String(segments.suffix ?? "")}<|fim_middle|>`, segments, choices: [{ index: 0, text }], user_agent: "tabby-agent/1.7.0 vscode/1.90.0" } });
const view = (id: string) => entry({ view: { completion_id: id, choice_index: 0, view_id: `view-${id}` } });
const select = (id: string, kind?: "line") => entry({ select: { completion_id: id, choice_index: 0, ...(kind ? { kind } : {}), view_id: `view-${id}`, elapsed: 900 } });
const dismiss = (id: string) => entry({ dismiss: { completion_id: id, choice_index: 0, view_id: `view-${id}`, elapsed: 1200 } });

const cart = { prefix: "def total(items):\n    return ", suffix: "\n", filepath: "src/cart.py", git_url: GIT_URL };
const day1 = [
  // Accepted, and dismissed at the same place: an event each and one pair.
  completion("cmpl-acc", cart, "sum(i.price for i in items)"),
  view("cmpl-acc"),
  select("cmpl-acc"),
  completion("cmpl-rej", cart, "0"),
  view("cmpl-rej"),
  dismiss("cmpl-rej"),
  // Shown, and nothing more in the log.
  completion("cmpl-view", { ...cart, prefix: "def empty():\n    " }, "pass"),
  view("cmpl-view"),
  // Another repository (its remote), and a relative path that is not a file here.
  completion("cmpl-other", { ...cart, git_url: "git@github.com:acme/other.git" }, "42"),
  view("cmpl-other"),
  select("cmpl-other"),
  completion("cmpl-missing", { prefix: "x = ", suffix: "", filepath: "lib/missing.py" }, "1"),
  view("cmpl-missing"),
  select("cmpl-missing"),
  // Secrets in the prefix and in the suggestion.
  completion("cmpl-key", { ...cart, prefix: `GITHUB_TOKEN = "${token}"\n` }, "def main():"),
  view("cmpl-key"),
  select("cmpl-key"),
  completion("cmpl-leak", { ...cart, prefix: "auth = " }, `"token ${token}"`),
  view("cmpl-leak"),
  dismiss("cmpl-leak"),
  // Served but never shown (the user typed on).
  completion("cmpl-never", cart, "len(items)"),
  // Tabby of May 2023: no segments, "selected", the user inside the completion.
  { ts: (ts += 1000), event: { completion: { completion_id: "cmpl-old", language: "python", prompt: "<PRE> def f( <SUF> <MID>", choices: [{ index: 0, text: "x):" }], user: "alice" } } },
  { ts: (ts += 1000), event: { selected: { completion_id: "cmpl-old", choice_index: 0 } } },
  // The next line only, of a path relative to the workspace (no git_url) that is a file here.
  completion("cmpl-line", { prefix: "", suffix: "", filepath: "src/util.py" }, "a = 1\nb = 2\n"),
  view("cmpl-line"),
  select("cmpl-line", "line"),
  // Outside any workspace the agent sends the document's URI.
  completion("cmpl-uri", { prefix: "function f(x) {\n  ", suffix: "\n}", filepath: pathToFileURL(join(repo, "src", "app.ts")).href }, "return x;", "typescript"),
  view("cmpl-uri"),
  select("cmpl-uri"),
  entry({ chat_completion: {} }),
  // Dismissed only in the next day's file.
  completion("cmpl-late", { ...cart, prefix: "def late():\n    " }, "return None"),
  view("cmpl-late"),
  // Junk.
  "not an object",
  { ts: 1, event: { view: { choice_index: 0 } } },
];
const day2 = [dismiss("cmpl-late"), view("cmpl-gone")];

const shop: TabbyRepo = { root: repo, remotes: gitRemotes(repo), hasFile: (p) => p === "src/util.py" };

describe("importing Tabby's event log", () => {
  it("reads the repository's remotes and compares git URLs however they are written", () => {
    assert.deepEqual(gitRemotes(repo), ["github.com/acme/shop"]);
    for (const url of ["https://github.com/acme/shop", "https://user:tok@github.com/Acme/shop.git/", "ssh://git@github.com:22/acme/shop.git", "git@github.com:acme/shop"]) assert.equal(normalizeGitUrl(url), "github.com/acme/shop", url);
  });

  it("joins completions with their select, dismiss and view into accepted, partial and rejected events and a pair, skipping the rest with reasons", () => {
    const r = importTabbyEvents([...day1, ...day2], shop);
    assert.deepEqual(r.read, { completion: 12, view: 11, select: 7, dismiss: 3, chat_completion: 1 });
    assert.deepEqual(r.skipped, { "outside-repository": 2, "no-file-path": 1, "other-event": 1, "not-an-object": 1, "missing-fields": 1, "no-outcome": 1, secret: 2, "never-shown": 1, "no-completion": 1 });
    assert.deepEqual(
      r.events.map((e) => [e.id, e.path, e.outcome, e.written, e.languageId]),
      [
        ["tabby:cmpl-acc:0", "src/cart.py", "accepted", "sum(i.price for i in items)", "python"],
        ["tabby:cmpl-rej:0", "src/cart.py", "rejected", "", "python"],
        ["tabby:cmpl-line:0", "src/util.py", "partial", "a = 1\n", "python"],
        ["tabby:cmpl-uri:0", "src/app.ts", "accepted", "return x;", "typescript"],
        ["tabby:cmpl-late:0", "src/cart.py", "rejected", "", "python"],
      ],
    );
    assert.equal(r.events[2]!.acceptedChars, 6);
    assert.equal(r.events[0]!.time, "2024-06-01T09:00:03.000Z", "the time of the select that settled it");
    assert.equal(r.pairs.length, 1);
    const pair = r.pairs[0]!;
    assert.deepEqual([pair.chosen, pair.rejected, pair.source, pair.path], ["sum(i.price for i in items)", "0", "editor", "src/cart.py"]);
    assert.deepEqual(parseFimPrompt(pair.prompt), { prefix: cart.prefix, suffix: cart.suffix, repo: { name: "shop", path: "src/cart.py" } });
    assert.ok(!JSON.stringify(r).includes(token), "the secret went nowhere");
  });

  it("reads a day's file or the whole events folder, tells Tabby's log from Continue's, and a second import adds nothing", () => {
    const events = join(root, "tabby", "events");
    mkdirSync(events, { recursive: true });
    const lines = (l: unknown[]) => `${l.map((x) => JSON.stringify(x)).join("\n")}\n`;
    writeFileSync(join(events, "2024-06-01.json"), `${lines(day1)}{"ts":1,"event":{"vi\n`);
    writeFileSync(join(events, "2024-06-02.json"), lines(day2));
    assert.equal(detectFeedbackSource(join(events, "2024-06-01.json")), "tabby");
    assert.equal(detectFeedbackSource(events), "tabby");

    // One day alone: the late dismissal is in the other file, so that completion has no outcome yet.
    const oneDay = importFeedback({ file: join(events, "2024-06-01.json"), repo, out: join(root, "out-day") });
    assert.equal(oneDay.from, "tabby");
    assert.equal(oneDay.corruptLines, 1);
    assert.equal(oneDay.skipped["no-outcome"], 2);
    assert.equal(oneDay.events.length, 4);

    const out = join(root, "out");
    const first = importFeedback({ file: events, repo, out, from: "tabby" });
    assert.deepEqual([first.events.length, first.pairs.length, first.corruptLines], [5, 1, 1]);
    assert.equal(readJsonlFile(feedbackPaths(out).events).records.length, 5);
    assert.equal(readJsonlFile(feedbackPaths(out).preferences).records.length, 1);
    const second = importFeedback({ file: events, repo, out });
    assert.equal(second.events.length, 0);
    assert.equal(second.pairs.length, 0);
    assert.equal(second.skipped["already-imported"], 5);
    assert.equal(readJsonlFile(feedbackPaths(out).events).records.length, 5);
    assert.equal(readJsonlFile(feedbackPaths(out).preferences).records.length, 1);
  });

  it("finds Continue's log first, else Tabby's TABBY_ROOT/events", () => {
    const home = join(root, "home");
    const env = { TABBY_ROOT: join(root, "tabby") };
    assert.deepEqual(defaultFeedbackSource({ home, env }), { file: join(root, "tabby", "events"), from: "tabby" });
    assert.equal(defaultFeedbackSource({ home, env: {} }), null, "no ~/.tabby either");
    const continueLog = join(home, ".continue", "dev_data", "0.2.0", "autocomplete.jsonl");
    mkdirSync(join(continueLog, ".."), { recursive: true });
    writeFileSync(continueLog, "");
    assert.deepEqual(defaultFeedbackSource({ home, env }), { file: continueLog, from: "continue" });
    assert.deepEqual(defaultFeedbackSource({ home, env, from: "tabby" }), { file: join(root, "tabby", "events"), from: "tabby" });
    assert.equal(detectFeedbackSource(continueLog), "continue");
  });
});
