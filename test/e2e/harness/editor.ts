// The text editor of VS Code's web workbench, driven from the keyboard as a user does:
// Quick Open, Go to Line, typing, Tab, save; and what it shows: its visible lines and the
// inline suggestion's ghost text (elements whose class contains `ghost-text`).
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";

const QUICK_INPUT = ".quick-input-widget";
const EDITOR = ".editor-instance .monaco-editor";
const GHOST = `${EDITOR} [class*="ghost-text"]`;

/** Monaco draws spaces as non-breaking spaces. */
const plain = (text: string) => text.replace(/\u00a0/g, " ");

/** Opens a workspace file by name with Quick Open (Ctrl+P) and waits for its tab. */
export async function openFile(page: Page, name: string, timeoutMs = 20_000): Promise<void> {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+P");
  await page.locator(`${QUICK_INPUT} input`).waitFor({ state: "visible", timeout: 5000 });
  await page.keyboard.type(name);
  await page.locator(`${QUICK_INPUT} .monaco-list-row`, { hasText: name }).first().waitFor({ state: "visible", timeout: timeoutMs });
  await page.keyboard.press("Enter");
  await page.locator(".tabs-container .tab.active", { hasText: name }).waitFor({ state: "visible", timeout: timeoutMs });
  await page.locator(`${EDITOR}.focused`).waitFor({ state: "visible", timeout: timeoutMs });
}

/** Moves the cursor to the start of a line (1-based) with Go to Line (Ctrl+G). */
export async function goToLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press("Control+G");
  await page.locator(`${QUICK_INPUT} input`).waitFor({ state: "visible", timeout: 5000 });
  await page.keyboard.type(String(line));
  await page.keyboard.press("Enter");
  await page.locator(QUICK_INPUT).waitFor({ state: "hidden", timeout: 5000 });
}

/** Opens a new line below `line` (End, Enter: the editor indents it) and leaves the cursor there. */
export async function openLineBelow(page: Page, line: number): Promise<void> {
  await goToLine(page, line);
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
}

/** The ghost text the editor shows now ("" when none). */
export async function ghostText(page: Page): Promise<string> {
  const parts = await page
    .locator(GHOST)
    // Only the outermost ghost-text elements: nested ones would count their text twice.
    .evaluateAll((els) => els.filter((e) => !e.parentElement?.closest('[class*="ghost-text"]')).map((e) => e.textContent ?? ""));
  return plain(parts.join(""));
}

/** Waits for non-blank ghost text; returns it, or "" if none showed within `timeoutMs`. */
export async function waitForGhostText(page: Page, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  do {
    const text = await ghostText(page);
    if (text.trim()) return text;
    await page.waitForTimeout(200);
  } while (Date.now() < deadline);
  return "";
}

/** The editor's visible lines, top to bottom (Monaco recycles line elements out of order). */
export async function visibleLines(page: Page): Promise<string[]> {
  const lines = await page
    .locator(`${EDITOR} .view-lines .view-line`)
    .evaluateAll((els) => els.map((e) => ({ top: parseFloat((e as HTMLElement).style.top) || 0, text: e.textContent ?? "" })));
  return lines.sort((a, b) => a.top - b.top).map((l) => plain(l.text));
}

/** Saves the active editor (Ctrl+S) and waits until `file` on disk passes `saved`. */
export async function saveFile(page: Page, file: string, saved: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
  await page.keyboard.press("Control+S");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = readFileSync(file, "utf8");
    if (saved(text)) return text;
    if (Date.now() > deadline) throw new Error(`${file} on disk did not show the edit within ${timeoutMs / 1000} s of saving`);
    await page.waitForTimeout(200);
  }
}
