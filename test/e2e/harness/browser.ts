// Debian's chromium driven by playwright-core, headless, with the flags of
// notes/vscode-e2e.md and a fresh profile in the session folder.
import { accessSync, constants, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = process.env.REPOTUNE_E2E_CHROMIUM ?? "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Throws a message that says what to install when chromium is missing. */
export function assertChromium(): void {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(`no chromium at ${CHROMIUM}: install it (apt-get install chromium) or set REPOTUNE_E2E_CHROMIUM`);
  }
}

export async function launchBrowser(dir: string): Promise<BrowserContext> {
  assertChromium();
  const sub = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  // Playwright makes its own temporary folders under os.tmpdir(), which reads TMPDIR at call
  // time: point it into the session folder so nothing lands in /tmp. This test file runs in
  // its own process, so the change stays inside it.
  process.env.TMPDIR = sub("t");
  return chromium.launchPersistentContext(sub("chromium-profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    // Chromium's own caches and crash dumps follow HOME and XDG_*: keep them in the run too.
    env: {
      ...process.env,
      HOME: sub("home"),
      XDG_CONFIG_HOME: sub("xdg/config"),
      XDG_CACHE_HOME: sub("xdg/cache"),
      XDG_DATA_HOME: sub("xdg/data"),
      TMPDIR: sub("t"),
    },
  });
}
