// Runs the extension's mocha suite (out/test/suite/index.js) inside VS Code's real extension
// host: code-server started with the smoke-test driver, a page opened with
// extensionDevelopmentPath/extensionTestsPath in its payload, and the workbench's
// `window.codeAutomationExit(code)` call, exposed through Playwright, as the end signal.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RESULTS_ENV, type SuiteReport } from "../suite/results";
import { assertChromium, launchBrowser } from "./browser";
import { sessionFolders, startCodeServer } from "./code-server";
import { ensureTools, toolsInstalled, type Tools } from "./install";
import { REPO_ROOT, sessionDir } from "./paths";
import { ensureVsix } from "./vsix";
import { makeWorkspace } from "./workspace";

export interface HostRun {
  exitCode: number;
  report: SuiteReport;
  dir: string;
}

const SUITE_BUNDLE = join(REPO_ROOT, "out", "test", "suite", "index.js");

export async function runHostSuite(timeoutMs: number): Promise<HostRun> {
  if (!existsSync(SUITE_BUNDLE)) throw new Error(`${SUITE_BUNDLE} is missing: build first (node esbuild.config.mjs)`);
  assertChromium(); // before the slow steps, which would be wasted without a browser
  const dir = sessionDir("host");
  // This suite loads the extension from the checkout, not from the .vsix. But on a cold
  // cache the code-server install waits on the network for minutes: package the .vsix the
  // UI checks need meanwhile. (Warm, the UI test packages it, with nothing else running.)
  // Its errors are the UI test's to report; it tries again.
  const packaging = toolsInstalled() ? Promise.resolve() : ensureVsix(dir).then(() => undefined, () => undefined);
  try {
    return await runInVsCode(dir, await ensureTools(), timeoutMs);
  } finally {
    await packaging;
  }
}

async function runInVsCode(dir: string, tools: Tools, timeoutMs: number): Promise<HostRun> {
  const folders = sessionFolders(dir, tools);
  const workspace = await makeWorkspace(dir, folders.env);
  const resultsFile = join(dir, "mocha-results.json");

  const server = await startCodeServer(tools, folders, { smokeTestDriver: true });
  try {
    const browser = await launchBrowser(dir);
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      const exited = new Promise<number>((resolve) => {
        void page.exposeFunction("codeAutomationExit", (code: unknown) => resolve(typeof code === "number" ? code : 1));
      });
      // The extension is loaded from this checkout (what esbuild just built), not from a .vsix.
      const remote = (path: string) => `vscode-remote://127.0.0.1:${server.port}${path}`;
      const payload = [
        ["extensionDevelopmentPath", remote(REPO_ROOT)],
        ["extensionTestsPath", remote(SUITE_BUNDLE.replace(/\.js$/, ""))],
        ["extensionEnvironment", JSON.stringify({ [RESULTS_ENV]: resultsFile })],
      ];
      const url = `${server.origin}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
      await page.goto(url);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the extension host did not finish the mocha suite within ${timeoutMs / 1000} s`)), timeoutMs);
      });
      try {
        const exitCode = await Promise.race([exited, timedOut]);
        return { exitCode, report: readReport(resultsFile), dir };
      } catch (err) {
        await page.screenshot({ path: join(dir, "screenshots", "host-timeout.png") }).catch(() => undefined);
        const partial = readReport(resultsFile);
        throw new Error(`${(err as Error).message} (${partial.results.length} tests reported so far; logs in ${dir})`, { cause: err });
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await browser.close();
    }
  } finally {
    await server.stop();
  }
}

function readReport(file: string): SuiteReport {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as SuiteReport;
  } catch {
    return { finished: false, results: [] };
  }
}
