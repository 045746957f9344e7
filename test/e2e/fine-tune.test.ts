// "Fine-tune on this repo" end to end in a real VS Code (code-server 1.139's web workbench in
// headless chromium; RepoTune installed from its .vsix), on a workspace with real code
// (commander's lib/, copied from node_modules and committed). One micro run feeds every
// check, in this order: the run itself (notification, live dashboard, output channel,
// artifacts), the evaluation table and theme screenshots, inline completions from the
// model it made (accept, reject, preference pair), then a second run cancelled from the
// dashboard. Each check needs the ones before it; screenshots land in
// test-output/e2e/<run>/fine-tune/screenshots/.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readSync, openSync, closeSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FeedbackEvent, PreferencePair } from "../../src/core/feedback/feedback-types";
import type { ActiveModel } from "../../src/core/runs/active-model";
import type { RunRecord } from "../../src/core/runs/run-record";
import type { EvalReport } from "../../src/pipeline/evaluation/report";
import { assertTableShowsReport } from "./checks/eval-table";
import { assertLossChartGrew, assertTimelineAdvanced, finished } from "./checks/live-run";
import { actionStates, evalTable, pageTheme, presetShown, pressAction, sampleDashboard, type DashboardSample } from "./harness/dashboard";
import { readJson, readJsonl, workspaceDataFolder } from "./harness/data-folder";
import { openFile, openLineBelow, saveFile, visibleLines, waitForGhostText } from "./harness/editor";
import { outputLines } from "./harness/output-panel";
import { REPO_ROOT } from "./harness/paths";
import { e2eSkipReason } from "./harness/skip";
import { uiCheck } from "./harness/ui-check";
import { startUiSession, type UiSession } from "./harness/ui-session";
import { readUserSettings } from "./harness/user-settings";
import { waitUntil } from "./harness/wait";
import { pickColorTheme, pickQuickItem, runCommand, toastTexts, waitForToast } from "./harness/workbench";

const skip = e2eSkipReason();
const STAGES = ["gather", "tokenizer", "pretrain", "sft", "dpo", "rl", "distill", "eval", "export", "activate"];
/** The file the completion checks type in (commander's lib/option.js, in the workspace's lib/). */
const TYPING_FILE = "option.js";

describe("e2e: Fine-tune on this repo, completions and the dashboard with a micro model", () => {
  if (skip) {
    it("Fine-tune, completions and dashboard checks in code-server", { skip }, () => {});
    return;
  }
  let session: UiSession | undefined;
  let dataBase = "";
  /** The first run, which every later check uses. */
  let first: { runId: string; dir: string; data: string } | undefined;
  const check = uiCheck(() => session);

  before(async () => {
    session = await startUiSession({
      name: "fine-tune",
      extras: [{ from: join(REPO_ROOT, "node_modules", "commander", "lib"), to: "lib" }],
      settings: (dir) => {
        dataBase = join(dir, "data");
        return {
          // Where runs, active.json and feedback land, so the test can read them.
          "repotune.dataFolder": dataBase,
          // The dashboard's Fine-tune button starts this preset without asking.
          "repotune.preset": "micro",
          // A micro model is rarely better than its base: the ghost-text checks need it serving.
          "repotune.activation": "always",
          "workbench.colorTheme": "Dark Modern",
          "workbench.startupEditor": "none",
          "chat.disableAIFeatures": true,
          "workbench.secondarySideBar.defaultVisibility": "hidden",
          // Nothing but RepoTune's ghost text may take Tab or Enter while typing.
          "editor.quickSuggestions": { other: false, comments: false, strings: false },
          "editor.suggestOnTriggerCharacters": false,
          "editor.acceptSuggestionOnEnter": "off",
          "editor.autoClosingBrackets": "never",
          "editor.autoClosingQuotes": "never",
        };
      },
    });
  }, { timeout: 600_000 });

  after(async () => {
    await session?.close();
  });

  const data = () => {
    const found = workspaceDataFolder(dataBase);
    assert.ok(found, `RepoTune made no data folder under ${dataBase}`);
    return found;
  };
  const needFirstRun = () => {
    assert.ok(first, "the first micro run did not finish (see the first check)");
    return first;
  };

  check("Fine-tune (micro, picked in the quick pick) shows its progress notification; meanwhile the dashboard's loss chart gains points and its stage timeline advances; the run completes", 300_000, async ({ page, screenshot }) => {
    await runCommand(page, "RepoTune: Open dashboard");
    await sampleDashboard(page); // the page is up before the run starts
    await runCommand(page, "RepoTune: Fine-tune on this repo");
    await pickQuickItem(page, /^micro/, 15_000);
    const progress = await waitForToast(page, "RepoTune: fine-tuning on", 30_000);
    assert.match(progress, /RepoTune: fine-tuning on workspace/);
    await screenshot("fine-tune-progress");

    const samples: DashboardSample[] = [];
    const toasts = new Set<string>([progress]);
    let shotMidRun = false;
    const status = await waitUntil(
      "the micro run to end (run.json)",
      async () => {
        samples.push(await sampleDashboard(page));
        for (const t of await toastTexts(page)) toasts.add(t);
        if (!shotMidRun && samples.at(-1)?.stages.some((r) => r.name === "SFT" && r.status === "running")) {
          shotMidRun = true;
          await screenshot("dashboard-mid-run");
        }
        const folder = workspaceDataFolder(dataBase);
        const latest = folder && join(folder, "runs", "latest", "run.json");
        const record = latest && existsSync(latest) ? readJson<RunRecord>(latest) : undefined;
        return record && record.status !== "running" ? record : undefined;
      },
      240_000,
      600,
    );
    // The page polls the run's events: give it the last ones.
    await waitUntil("the dashboard to show every stage done", async () => {
      const s = await sampleDashboard(page);
      samples.push(s);
      for (const t of await toastTexts(page)) toasts.add(t);
      return s.stages.every(finished) || status.status !== "done";
    }, 15_000, 500);
    await screenshot("dashboard-run-done");
    assert.equal(status.status, "done", `the run ended ${status.status}; see the RepoTune log in ${session?.dir}`);
    assert.ok([...toasts].some((t) => /fine-tuning finished/.test(t)), `the end is announced: ${JSON.stringify([...toasts])}`);
    assertTimelineAdvanced(samples);
    assertLossChartGrew(samples);
    first = { runId: status.runId, dir: join(data(), "runs", status.runId), data: data() };
  });

  check("the run's artifacts exist: runs/<id>/report.json, student.gguf (a GGUF file) and active.json naming the model the report says serves", 30_000, async () => {
    const { runId, dir, data: out } = needFirstRun();
    const report = readJson<EvalReport>(join(dir, "report.json"));
    assert.ok(report.stages.student, "report.json evaluates the student");
    const gguf = join(dir, "student.gguf");
    const magic = Buffer.alloc(4);
    const fd = openSync(gguf, "r");
    try {
      readSync(fd, magic, 0, 4, 0);
    } finally {
      closeSync(fd);
    }
    assert.equal(magic.toString("latin1"), "GGUF", `${gguf} is a GGUF file`);
    const active = readJson<ActiveModel>(join(out, "active.json"));
    // The student serves when it keeps 90% of the teacher's exact match and is faster, else the teacher.
    const role = (report as EvalReport & { activation: { role: "student" | "teacher" } }).activation.role;
    assert.deepEqual({ gguf: active.gguf, runId: active.runId, role: active.role }, { gguf: join(dir, `${role}.gguf`), runId, role }, "active.json names the model report.json says serves");
    const events = readJsonl<{ type: string }>(join(dir, "events.jsonl"));
    assert.equal(events.at(-1)?.type, "done", "the run's events end with done");
  });

  check("the RepoTune output channel shows every stage starting and ending, then the end of the run", 90_000, async ({ page, screenshot }) => {
    const lines = await outputLines(page, "RepoTune: Show log", "RepoTune", "Stage ,Fine-tuning");
    await screenshot("output-channel");
    const text = lines.join("\n");
    for (const stage of STAGES) {
      // The micro preset has no RL steps: that stage starts and is skipped with its reason.
      const end = stage === "rl" ? "skipped" : "done";
      assert.match(text, new RegExp(`Stage ${stage} started`), `the output channel shows ${stage} starting:\n${text}`);
      assert.match(text, new RegExp(`Stage ${stage} ${end}`), `the output channel shows ${stage} ${end}:\n${text}`);
    }
    assert.match(text, /Fine-tuning finished\./);
  });

  check("afterwards the dashboard's evaluation table shows the numbers of report.json", 60_000, async ({ page }) => {
    const { dir } = needFirstRun();
    await runCommand(page, "RepoTune: Open dashboard");
    const table = await waitUntil("the evaluation table", () => evalTable(page), 20_000);
    assertTableShowsReport(table, readJson<EvalReport>(join(dir, "report.json")));
  });

  check("screenshots of the dashboard in the dark and the light theme (workbench.colorTheme)", 60_000, async ({ page, screenshot, userDataDir }) => {
    needFirstRun();
    await runCommand(page, "RepoTune: Open dashboard");
    const dark = await pageTheme(page);
    assert.equal(dark.kind, "vscode-dark", "the profile starts in Dark Modern");
    // A taller window shows the whole dashboard: timeline, charts and the evaluation table.
    const viewport = page.viewportSize();
    await page.setViewportSize({ width: 1400, height: 1800 });
    let darkShot: string;
    let lightShot: string;
    let light: Awaited<ReturnType<typeof pageTheme>>;
    try {
      await waitUntil("the dashboard to draw its charts", () => evalTable(page), 10_000);
      await page.waitForTimeout(500); // the charts redraw at the new size on the next frames
      darkShot = await screenshot("dashboard-dark");
      await pickColorTheme(page, "Light Modern");
      light = await waitUntil("the dashboard to follow the light theme", async () => {
        const t = await pageTheme(page);
        return t.kind === "vscode-light" ? t : undefined;
      }, 15_000, 300);
      await page.waitForTimeout(500); // the charts redraw in the theme's colours on the next frames
      lightShot = await screenshot("dashboard-light");
    } finally {
      if (viewport) await page.setViewportSize(viewport);
    }
    assert.equal(readUserSettings(userDataDir)["workbench.colorTheme"], "Light Modern", "the theme was switched through the setting");
    assert.ok(dark.luminance < 0.3 && light.luminance > 0.7, `the page's background follows the theme: ${dark.background} -> ${light.background}`);
    assert.ok(existsSync(darkShot) && existsSync(lightShot));
  });

  /** Line numbers (1-based, bottom first) of simple assignments in the typing file: new lines go below them. */
  let placesLeft: number[] = [];
  /** Types `typed` on a new line below each place in turn until the editor shows ghost text. */
  async function ghostAtNextPlace(s: UiSession, typed: (i: number) => string, firstWaitMs: number): Promise<{ line: number; typed: string; ghost: string }> {
    const tried: string[] = [];
    for (let i = 0; i < 6 && placesLeft.length; i++) {
      const line = placesLeft.shift()!;
      const text = typed(i);
      await openLineBelow(s.page, line);
      await s.page.keyboard.type(text);
      const ghost = await waitForGhostText(s.page, i === 0 ? firstWaitMs : 8_000);
      if (ghost) return { line, typed: text, ghost };
      tried.push(`below line ${line} after "${text}"`);
      await s.page.keyboard.press("Escape");
    }
    throw new Error(`the micro model's completions showed no ghost text at ${tried.length} places: ${tried.join("; ")}; see the RepoTune log in ${s.dir}`);
  }

  check("typing in a file shows ghost text from the micro model; Tab accepts it (editor and disk) and an accepted event is logged", 120_000, async (s) => {
    const { runId, data: out } = needFirstRun();
    await openFile(s.page, TYPING_FILE);
    const file = join(s.workspace, "lib", TYPING_FILE);
    placesLeft = readFileSync(file, "utf8")
      .split("\n")
      .flatMap((l, i) => (/^ {4}this\.\w+ = \w+;$/.test(l) ? [i + 1] : []))
      .reverse();
    assert.ok(placesLeft.length >= 12, `${file} has places to type at`);
    // The first request starts the completion server (it loads the GGUF): allow for that.
    const shown = await ghostAtNextPlace(s, (i) => `const picked${i} = `, 15_000);
    await s.screenshot("ghost-text");
    await s.page.keyboard.press("Tab");
    const expected = shown.typed + shown.ghost;
    await waitUntil(`the editor to show "${expected}"`, async () => (await visibleLines(s.page)).some((l) => l.trimStart() === expected), 10_000, 200);
    await s.screenshot("ghost-text-accepted");
    // The new line is the one below `line` (1-based): index `line` of the saved file.
    const lineOnDisk = (text: string) => text.split("\n")[shown.line]?.trimStart();
    const saved = await saveFile(s.page, file, (text) => lineOnDisk(text) === expected);
    assert.equal(lineOnDisk(saved), expected, "the accepted completion is in the saved file");

    const accepted = await waitUntil(
      "an accepted event in feedback/events.jsonl",
      () => readJsonl<FeedbackEvent>(join(out, "feedback", "events.jsonl")).find((e) => e.outcome === "accepted" && e.shown === shown.ghost),
      15_000,
    );
    assert.equal(accepted.written, shown.ghost);
    assert.equal(accepted.path, `lib/${TYPING_FILE}`);
    assert.equal(accepted.model, `student of run ${runId}`, "the completion came from the first run's student");
    assert.ok(accepted.prefix.endsWith(shown.typed), "the event keeps the prefix the model saw");
  });

  check("typing something else over another suggestion logs rejected with the typed text as written, and a preference pair appears", 120_000, async (s) => {
    const { data: out } = needFirstRun();
    assert.ok(placesLeft.length > 0, "the accept check ran first and left places to type at");
    const shown = await ghostAtNextPlace(s, (i) => `let other${i} = `, 15_000);
    // Not the suggestion's first character, so the ghost text is typed over, not through.
    const typed = shown.ghost.startsWith("z") ? "xk7" : "zq9";
    await s.page.keyboard.type(typed);
    await s.page.keyboard.press("Enter"); // the line is finished: the tracker settles once its window is over
    await saveFile(s.page, join(s.workspace, "lib", TYPING_FILE), (text) => text.includes(`${shown.typed}${typed}\n`));
    await s.screenshot("ghost-text-typed-over");

    const rejected = await waitUntil(
      "a rejected event in feedback/events.jsonl (after the 10 s window)",
      () => readJsonl<FeedbackEvent>(join(out, "feedback", "events.jsonl")).find((e) => e.outcome === "rejected" && e.shown === shown.ghost),
      45_000,
    );
    assert.equal(rejected.written, typed, "what the user typed instead is recorded");
    const pair = await waitUntil(
      "a preference pair in dataset/preferences.jsonl",
      () => readJsonl<PreferencePair>(join(out, "dataset", "preferences.jsonl")).find((p) => p.source === "editor" && p.rejected === shown.ghost),
      10_000,
    );
    assert.equal(pair.chosen, typed);
    // The repository-level prompt, as the completion was asked: the workspace and the file's path, then FIM.
    assert.match(pair.prompt, /^<\|repo_name\|>workspace\n(<\|file_sep\|>[\s\S]*)?<\|file_sep\|>lib\/option\.js\n<\|fim_prefix\|>[\s\S]*<\|fim_suffix\|>[\s\S]*<\|fim_middle\|>$/, "the prompt is a repository-level FIM prompt");
    assert.ok(pair.prompt.includes(`${shown.typed}<|fim_suffix|>`), "the prompt ends where the suggestion was shown");
  });

  check("Cancel in the dashboard cancels a second run (started from the dashboard): it ends as cancelled within seconds", 180_000, async ({ page, screenshot }) => {
    const { data: out } = needFirstRun();
    const activeBefore = readFileSync(join(out, "active.json"), "utf8");
    await runCommand(page, "RepoTune: Open dashboard");
    await waitUntil("Fine-tune to be enabled in the dashboard", async () => (await actionStates(page)).fineTune, 15_000);
    assert.equal(await presetShown(page), "micro", "the dashboard offers the preset of the repotune.preset setting");
    await pressAction(page, "fineTune");
    await waitForToast(page, "RepoTune: fine-tuning on", 30_000);
    const running = await waitUntil(
      "the dashboard to show the second run training, with Cancel enabled",
      async () => {
        const [sample, actions] = await Promise.all([sampleDashboard(page), actionStates(page)]);
        const row = sample.stages.find((r) => r.status === "running");
        return actions.cancelTraining && row && ["Pretrain", "SFT", "DPO", "Distill"].includes(row.name) ? row : undefined;
      },
      60_000,
      300,
    );
    await screenshot("second-run-training");
    const pressed = Date.now();
    await pressAction(page, "cancelTraining");
    const ended = await waitUntil(
      "the second run to end",
      () => {
        const record = readJson<RunRecord>(join(out, "runs", "latest", "run.json"));
        return record.status !== "running" ? record : undefined;
      },
      30_000,
      250,
    );
    const seconds = (Date.now() - pressed) / 1000;
    assert.notEqual(ended.runId, first?.runId, "a second run was started");
    assert.equal(ended.status, "cancelled", `the run that was ${running.name} ${running.detail} ended ${ended.status}`);
    assert.ok(seconds <= 15, `cancelled ${seconds.toFixed(1)} s after Cancel was pressed`);
    await waitForToast(page, /training cancelled/, 15_000);
    const after = await waitUntil(
      "the dashboard to show the run cancelled, Cancel disabled and Resume enabled",
      async () => {
        const [sample, actions] = await Promise.all([sampleDashboard(page), actionStates(page)]);
        const cancelled = sample.stages.find((r) => r.status === "cancelled");
        return cancelled && !actions.cancelTraining && actions.resume && actions.fineTune ? { cancelled, actions } : undefined;
      },
      15_000,
      300,
    );
    await screenshot("second-run-cancelled");
    assert.match(after.cancelled.detail, /cancelled at step \d+/);
    assert.equal(readFileSync(join(out, "active.json"), "utf8"), activeBefore, "a cancelled run leaves the active model alone");
  });
});
