// One VS Code for the UI checks: the packaged .vsix installed into a fresh code-server
// (without the smoke-test driver, which would hide notification toasts), the fixture
// workspace open in headless chromium, and screenshots kept in the session folder.
import { appendFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { assertChromium, launchBrowser } from "./browser";
import { installExtension, sessionFolders, startCodeServer, type CodeServer } from "./code-server";
import { ensureTools } from "./install";
import { sessionDir } from "./paths";
import { updateUserSettings, type Settings } from "./user-settings";
import { ensureVsix } from "./vsix";
import { waitForWorkbench } from "./workbench";
import { makeWorkspace, type WorkspaceExtra } from "./workspace";

export interface UiSessionOptions {
  /** The session's folder under the run folder (default `ui`). */
  name?: string;
  /** User settings written before VS Code starts; given the session folder (for paths in it). */
  settings?: (dir: string) => Settings;
  /** Sources copied into the workspace before it is committed. */
  extras?: readonly WorkspaceExtra[];
}

export interface UiSession {
  page: Page;
  dir: string;
  /** The folder VS Code has open. */
  workspace: string;
  /** The VS Code profile (user-data/User/settings.json lives there). */
  userDataDir: string;
  /** Saves a full-page screenshot as screenshots/NN-name.png and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startUiSession(options: UiSessionOptions = {}): Promise<UiSession> {
  assertChromium(); // before the slow steps, which would be wasted without a browser
  const dir = sessionDir(options.name ?? "ui");
  // Independent and both slow when cold: the tools install (network) and the packaging (CPU).
  const [tools, vsix] = await Promise.all([ensureTools(), ensureVsix(dir)]);
  const folders = sessionFolders(dir, tools);
  await installExtension(tools, folders, vsix);
  const workspace = await makeWorkspace(dir, folders.env, options.extras);
  if (options.settings) updateUserSettings(folders.userDataDir, options.settings(dir));

  let server: CodeServer | undefined;
  let browser: BrowserContext | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    // The installed copy of the .vsix (over 100 MB) tells nothing the .vsix does not.
    rmSync(folders.extensionsDir, { recursive: true, force: true });
  };
  try {
    server = await startCodeServer(tools, folders);
    browser = await launchBrowser(dir);
    const page = browser.pages()[0] ?? (await browser.newPage());
    const consoleLog = join(dir, "browser-console.log");
    page.on("console", (m) => appendFileSync(consoleLog, `[${m.type()}] ${m.text()}\n`));
    page.on("pageerror", (e) => appendFileSync(consoleLog, `[pageerror] ${e.message}\n`));
    page.on("response", (r) => {
      if (r.status() >= 400) appendFileSync(consoleLog, `[http ${r.status()}] ${r.url()}\n`);
    });
    await page.goto(`${server.origin}/?folder=${encodeURIComponent(workspace)}`);
    await waitForWorkbench(page, "hello.ts", 60_000);

    const shots = join(dir, "screenshots");
    mkdirSync(shots, { recursive: true });
    let count = 0;
    const screenshot = async (name: string) => {
      const path = join(shots, `${String(++count).padStart(2, "0")}-${name}.png`);
      // Toasts and quick picks slide in: finish their animations so the picture shows them.
      await page.screenshot({ path, animations: "disabled" });
      return path;
    };
    return { page, dir, workspace, userDataDir: folders.userDataDir, screenshot, close };
  } catch (err) {
    await close();
    throw err;
  }
}
