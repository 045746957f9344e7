// Driving VS Code's web workbench with Playwright: the command palette, quick picks,
// notification toasts and webview frames. Selectors are the workbench's own class names
// (VS Code 1.139), kept here in one place.
import type { Frame, Page } from "playwright-core";
import { setTimeout as sleep } from "node:timers/promises";

const QUICK_INPUT = ".quick-input-widget";
const QUICK_ROWS = `${QUICK_INPUT} .monaco-list-row`;
const TOASTS = ".notifications-toasts .notification-toast";

/** Waits until the workbench shows the workspace's files in the explorer. */
export async function waitForWorkbench(page: Page, fileName: string, timeoutMs: number): Promise<void> {
  await page.locator(".monaco-workbench").waitFor({ timeout: timeoutMs });
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: fileName }).first().waitFor({ timeout: timeoutMs });
}

async function openPalette(page: Page): Promise<void> {
  await page.keyboard.press("Escape");
  await page.keyboard.press("F1");
  try {
    await page.locator(`${QUICK_INPUT} input`).waitFor({ state: "visible", timeout: 3000 });
  } catch {
    // F1 can be taken by a focused webview or lost before the workbench has focus.
    await page.locator(".monaco-workbench").click({ position: { x: 5, y: 5 }, force: true });
    await page.keyboard.press("Control+Shift+P");
    await page.locator(`${QUICK_INPUT} input`).waitFor({ state: "visible", timeout: 5000 });
  }
}

/**
 * Opens the palette and types `query`, again and again until a row with `title` shows:
 * contributed commands appear a second or two after the explorer shows files.
 * Returns the labels of the rows that matched the query.
 */
export async function findCommand(page: Page, query: string, title: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    await openPalette(page);
    await page.keyboard.type(query);
    const row = page.locator(QUICK_ROWS, { hasText: title });
    try {
      await row.first().waitFor({ state: "visible", timeout: 2000 });
      return await page.locator(QUICK_ROWS).allInnerTexts();
    } catch {
      seen = await page.locator(QUICK_ROWS).allInnerTexts();
      await page.keyboard.press("Escape");
      await sleep(500);
    }
  }
  throw new Error(`the command palette never listed "${title}" for "${query}"; it showed: ${JSON.stringify(seen)}`);
}

/** Runs a command by its palette title, as a user does. */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  // The palette closes when the workbench moves focus (a webview re-rendering under it, a
  // toast): then it is opened again, as a user would.
  while (Date.now() < deadline) {
    await findCommand(page, title, title, Math.max(1000, deadline - Date.now()));
    const row = page.locator(QUICK_ROWS, { hasText: title }).first();
    try {
      await row.click({ timeout: 3000 });
      return;
    } catch (err) {
      lastError = err;
      await page.keyboard.press("Escape");
      await sleep(300);
    }
  }
  throw lastError instanceof Error ? lastError : new Error(`could not run "${title}" from the command palette`);
}

/** Waits for a quick pick row with `label` (e.g. a question a command asks) and picks it. */
export async function pickQuickItem(page: Page, label: string | RegExp, timeoutMs: number): Promise<string[]> {
  const row = page.locator(QUICK_ROWS, { hasText: label }).first();
  await row.waitFor({ state: "visible", timeout: timeoutMs });
  const all = await page.locator(QUICK_ROWS).allInnerTexts();
  await row.click();
  return all;
}

/** The text of the first notification toast that matches `text`. */
export async function waitForToast(page: Page, text: string | RegExp, timeoutMs: number): Promise<string> {
  const toast = page.locator(TOASTS, { hasText: text }).first();
  await toast.waitFor({ state: "visible", timeout: timeoutMs });
  return toast.innerText();
}

export async function waitForToastGone(page: Page, text: string | RegExp, timeoutMs: number): Promise<void> {
  await page.locator(TOASTS, { hasText: text }).first().waitFor({ state: "hidden", timeout: timeoutMs });
}

export async function toastTexts(page: Page): Promise<string[]> {
  return page.locator(TOASTS).allInnerTexts();
}

/**
 * A webview's document: webviews are `iframe.webview` > `#active-frame`, so the page's
 * frames are searched for the one where `probe` returns something.
 */
export async function findWebviewFrame<T>(page: Page, probe: () => T | null, timeoutMs: number): Promise<{ frame: Frame; value: T }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      try {
        const value = await frame.evaluate(probe);
        if (value !== null && value !== undefined) return { frame, value };
      } catch {
        // a frame that navigated or went away meanwhile
      }
    }
    await sleep(250);
  }
  throw new Error(`no webview frame matched within ${timeoutMs / 1000} s (${page.frames().length} frames)`);
}

/** Picks a colour theme by its label with "Preferences: Color Theme" (it writes `workbench.colorTheme`). */
export async function pickColorTheme(page: Page, label: string, timeoutMs = 15_000): Promise<void> {
  await runCommand(page, "Preferences: Color Theme");
  await page.locator(`${QUICK_INPUT} input`).fill(label);
  await pickQuickItem(page, new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`), timeoutMs);
  await page.locator(QUICK_INPUT).waitFor({ state: "hidden", timeout: timeoutMs });
}
