// Playwright UI checks in a real VS Code: code-server 1.139's web workbench (not the
// Electron desktop app) in headless chromium, with RepoTune installed from its .vsix the way
// a user installs it. Screenshots of each step land in test-output/e2e/<run>/ui/screenshots/.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { e2eSkipReason } from "./harness/skip";
import { uiCheck } from "./harness/ui-check";
import { startUiSession, type UiSession } from "./harness/ui-session";
import { findCommand, findWebviewFrame, pickQuickItem, runCommand, toastTexts, waitForToast, waitForToastGone } from "./harness/workbench";

const skip = e2eSkipReason();

describe("e2e: RepoTune in the VS Code UI", () => {
  if (skip) {
    // A skipped test (not a skipped describe) so that the summary line counts it.
    it("the UI checks in code-server", { skip }, () => {});
    return;
  }
  let session: UiSession | undefined;

  // Packages the .vsix (30-50 s) unless one of the same content is cached; run alone on a
  // cold cache it also installs code-server (2-6 min, depending on the network and the load).
  before(async () => {
    session = await startUiSession();
  }, { timeout: 600_000 });

  after(async () => {
    await session?.close();
  });

  const check = uiCheck(() => session);

  check("the command palette lists every RepoTune command, among them Fine-tune on this repo", 60_000, async ({ page, screenshot }) => {
    const rows = await findCommand(page, "RepoTune:", "RepoTune: Fine-tune on this repo", 45_000);
    await screenshot("palette");
    await page.keyboard.press("Escape");
    for (const title of ["Fine-tune on this repo", "Open dashboard", "Cancel training", "Choose base model", "Export dataset", "Export model", "Import feedback from Continue", "Toggle inline completions", "Show log"]) {
      assert.ok(rows.some((r) => r.includes(`RepoTune: ${title}`)), `"RepoTune: ${title}" in ${JSON.stringify(rows)}`);
    }
  });

  check("the status bar has the RepoTune item", 20_000, async ({ page }) => {
    await page.locator(".statusbar-item", { hasText: "RepoTune" }).first().waitFor({ state: "visible", timeout: 15_000 });
  });

  check("Open dashboard shows a webview with the RepoTune heading and the Fine-tune button", 60_000, async ({ page, screenshot }) => {
    await runCommand(page, "RepoTune: Open dashboard");
    const { value } = await findWebviewFrame(
      page,
      () => {
        const heading = document.querySelector("h1")?.textContent?.trim();
        const text = document.body?.innerText ?? "";
        // Ready once the page has drawn what the host sent, not just its loading text.
        return heading === "RepoTune" && text.includes("Fine-tune on this repo") ? { heading, text } : null;
      },
      30_000,
    );
    await screenshot("dashboard");
    assert.equal(value.heading, "RepoTune");
    assert.match(value.text, /Fine-tune on this repo/);
  });

  check("the dashboard page keeps the webview rules: CSP with a nonce and no unsafe-inline, vscode-elements styled, theme colours", 30_000, async ({ page }) => {
    const { value } = await findWebviewFrame(
      page,
      () => {
        if (document.querySelector("h1")?.textContent?.trim() !== "RepoTune") return null;
        const csp = document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute("content") ?? "";
        return {
          csp,
          // VS Code itself injects one inline script (acquireVsCodeApi), allowed by its own CSP
          // handling; every script the page loads must carry this render's nonce.
          scriptsWithoutNonce: [...document.scripts].filter((s) => s.src && !s.nonce).map((s) => s.src),
          foreignInlineScripts: [...document.scripts].filter((s) => !s.src && !s.textContent?.includes("acquireVsCodeApi")).length,
          vscodeButton: customElements.get("vscode-button") !== undefined,
          buttons: document.querySelectorAll("vscode-button").length,
          // The CSP allows no inline style: Lit's component styles must arrive as adopted
          // stylesheets (outside CSP), so the button's inner part is styled (.base is a flex box).
          adoptedSheets: document.querySelector("vscode-button")?.shadowRoot?.adoptedStyleSheets.length ?? 0,
          baseDisplay: getComputedStyle(document.querySelector("vscode-button")?.shadowRoot?.querySelector(".base") ?? document.body).display,
          foreground: getComputedStyle(document.documentElement).getPropertyValue("--vscode-foreground").trim(),
        };
      },
      15_000,
    );
    assert.match(value.csp, /default-src 'none'/);
    assert.match(value.csp, /script-src 'nonce-[^']+'/);
    assert.doesNotMatch(value.csp, /script-src[^;]*'unsafe-(inline|eval)'/);
    assert.doesNotMatch(value.csp, /'unsafe-/, "no 'unsafe-inline' for styles either");
    assert.deepEqual(value.scriptsWithoutNonce, [], "every script the page loads carries the nonce");
    assert.equal(value.foreignInlineScripts, 0, "no inline scripts but VS Code's own");
    assert.ok(value.vscodeButton && value.buttons > 0, "buttons are @vscode-elements/elements' <vscode-button>");
    assert.ok(value.adoptedSheets > 0 && value.baseDisplay === "flex", `vscode-button is styled under the CSP (${value.adoptedSheets} sheets, .base display ${value.baseDisplay})`);
    assert.notEqual(value.foreground, "", "VS Code's theme variables reach the page");
  });

  check("Choose base model lists the bases that can be downloaded, a file to browse for and training from scratch; the choice is announced", 60_000, async ({ page, screenshot }) => {
    await runCommand(page, "RepoTune: Choose base model");
    const rows = await pickQuickItem(page, /No base: train from scratch/, 20_000);
    await screenshot("choose-base-model");
    for (const name of ["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b", "qwen2.5-coder-3b", "Browse"]) {
      assert.ok(rows.some((r) => r.includes(name)), `${name} is offered: ${JSON.stringify(rows)}`);
    }
    await waitForToast(page, "runs train a model from scratch", 15_000);
  });

  check("Fine-tune on this repo asks for a preset, shows its progress notification, and Cancel training ends it", 120_000, async ({ page, screenshot }) => {
    await runCommand(page, "RepoTune: Fine-tune on this repo");
    // The smallest preset: the run is cancelled at once, but it starts a real training worker.
    const presets = await pickQuickItem(page, /^micro/, 15_000);
    assert.ok(presets.length >= 2, `presets offered: ${JSON.stringify(presets)}`);
    const progress = await waitForToast(page, "RepoTune: fine-tuning on", 30_000);
    await screenshot("fine-tune-notification");
    assert.match(progress, /RepoTune: fine-tuning on workspace/);
    await runCommand(page, "RepoTune: Cancel training");
    await waitForToastGone(page, "RepoTune: fine-tuning on", 60_000);
    // The cancelled run's message comes a moment after the progress notification goes.
    const ended = await waitForToast(page, /RepoTune: training cancelled/, 15_000).catch(async () => {
      throw new Error(`the cancelled run is reported; toasts: ${JSON.stringify(await toastTexts(page))}`);
    });
    await screenshot("fine-tune-ended");
    assert.match(ended, /Fine-tune again to resume/);
  });
});
