// The Output panel: a channel's lines as the panel shows them, through the panel's own
// filter box, with the panel maximized so that every matching line is drawn at once.
import type { Page } from "playwright-core";
import { runCommand } from "./workbench";

const PANEL = ".part.panel";

/** Shows `channel` (by running `showCommand`) and returns its lines matching `filter` ("a,b": a or b). */
export async function outputLines(page: Page, showCommand: string, channel: string, filter: string): Promise<string[]> {
  await runCommand(page, showCommand);
  const select = page.locator(`${PANEL} select[aria-label="Switch Output"]`).first();
  await select.waitFor({ state: "attached", timeout: 10_000 });
  const shown = await select.evaluate((s) => (s as HTMLSelectElement).value);
  if (shown !== channel) throw new Error(`${showCommand} showed the output channel "${shown}", not "${channel}"`);
  await runCommand(page, "View: Toggle Maximized Panel");
  try {
    const box = page.locator(`${PANEL} input[placeholder^="Filter"]`).first();
    await box.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.type(filter);
    await page.waitForTimeout(1000); // the filter applies after a short debounce
    const lines = await page
      .locator(`${PANEL} .monaco-editor .view-lines .view-line`)
      .evaluateAll((els) => els.map((e) => ({ top: parseFloat((e as HTMLElement).style.top) || 0, text: e.textContent ?? "" })));
    await box.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    return lines.sort((a, b) => a.top - b.top).map((l) => l.text.replace(/\u00a0/g, " "));
  } finally {
    await runCommand(page, "View: Toggle Maximized Panel");
    await runCommand(page, "View: Toggle Panel Visibility");
  }
}
