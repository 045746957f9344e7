// Reading and pressing the RepoTune dashboard (a webview: its document lives in a frame of
// the page, found anew on each call because VS Code reloads a webview that was hidden).
// Everything is read from what the page shows: the stage timeline's rows, the loss chart's
// canvas and its screen-reader summary, the evaluation table, the action buttons.
import type { Frame, Page } from "playwright-core";
import { findWebviewFrame } from "./workbench";

export interface StageRow {
  name: string;
  /** pending, running, done, skipped, cancelled, failed */
  status: string;
  detail: string;
}

export interface DashboardSample {
  at: number;
  stages: StageRow[];
  /** The loss chart's summary for screen readers: the latest value of each series. */
  lossSummary: string;
  /** The loss chart's series, from uPlot's legend. */
  lossSeries: string[];
  /** A hash of the loss chart's pixels ("" before anything is drawn). */
  lossCanvas: string;
}

export async function dashboardFrame(page: Page, timeoutMs = 20_000): Promise<Frame> {
  const { frame } = await findWebviewFrame(page, () => (document.querySelector("#chart-loss") && document.querySelector("ol.timeline") ? true : null), timeoutMs);
  return frame;
}

export async function sampleDashboard(page: Page): Promise<DashboardSample> {
  const frame = await dashboardFrame(page);
  const sample = await frame.evaluate(() => {
    const chart = document.querySelector("#chart-loss");
    const canvas = chart?.querySelector("canvas");
    let lossCanvas = "";
    if (canvas && canvas.width > 0) {
      const url = canvas.toDataURL();
      let h = 5381;
      for (let i = 0; i < url.length; i++) h = ((h * 33) ^ url.charCodeAt(i)) >>> 0;
      lossCanvas = `${url.length}:${h.toString(16)}`;
    }
    return {
      stages: [...document.querySelectorAll("ol.timeline li.stage")].map((li) => ({
        name: li.querySelector(".stage-name")?.textContent ?? "",
        status: li.className.split(/\s+/)[1] ?? "",
        detail: li.querySelector(".stage-detail")?.textContent ?? "",
      })),
      lossSummary: document.querySelector("#chart-loss-summary")?.textContent ?? "",
      lossSeries: [...(chart?.querySelectorAll(".u-legend .u-series th") ?? [])].map((e) => e.textContent?.trim() ?? "").slice(1),
      lossCanvas,
    };
  });
  return { at: Date.now(), ...sample };
}

export interface EvalTableText {
  head: string[];
  /** Each row: its header cell, then one cell per metric, as shown (a best value carries "(best)"). */
  rows: string[][];
}

export async function evalTable(page: Page): Promise<EvalTableText | null> {
  const frame = await dashboardFrame(page);
  return frame.evaluate(() => {
    const table = document.querySelector("#evaluation table");
    if (!table) return null;
    // No named helper functions in here: the test's TypeScript loader would wrap them in a
    // helper (__name) that exists in Node, not in the page.
    return {
      head: [...table.querySelectorAll("thead th")].map((e) => (e.textContent ?? "").replace(/\s+/g, " ").trim()),
      rows: [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((e) => (e.textContent ?? "").replace(/\s+/g, " ").trim())),
    };
  });
}

/** Which action buttons are enabled, by action (fineTune, cancelTraining, resume...). */
export async function actionStates(page: Page): Promise<Record<string, boolean>> {
  const frame = await dashboardFrame(page);
  return frame.evaluate(() =>
    Object.fromEntries([...document.querySelectorAll<HTMLElement>("vscode-button[data-action]")].map((b) => [b.dataset.action ?? "", !b.hasAttribute("disabled")])),
  );
}

export async function presetShown(page: Page): Promise<string> {
  const frame = await dashboardFrame(page);
  return frame.evaluate(() => (document.querySelector("#preset") as HTMLElement & { value?: string } | null)?.value ?? "");
}

export async function pressAction(page: Page, action: string): Promise<void> {
  const frame = await dashboardFrame(page);
  await frame.locator(`vscode-button[data-action="${action}"]`).click();
}

/** VS Code's theme as the page sees it: the body class it sets and the background colour. */
export async function pageTheme(page: Page): Promise<{ kind: string; background: string; luminance: number }> {
  const frame = await dashboardFrame(page);
  return frame.evaluate(() => {
    const background = getComputedStyle(document.body).backgroundColor;
    const [r = 0, g = 0, b = 0] = (background.match(/\d+(\.\d+)?/g) ?? []).map(Number);
    const kind = [...document.body.classList].find((c) => /^vscode-(light|dark|high-contrast)/.test(c)) ?? "";
    return { kind, background, luminance: (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 };
  });
}
