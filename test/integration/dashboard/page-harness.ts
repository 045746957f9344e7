// Renders the dashboard page outside VS Code: the real bundle and the real HTML (CSP and
// nonce included) served from 127.0.0.1, a stub of acquireVsCodeApi that records what the
// page posts and keeps its state across reloads (as VS Code does), and VS Code's theme
// variables on <html> and its theme class on <body>.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { DashboardRequest, DashboardUpdate } from "../../../src/core/protocol";
import { dashboardHtml } from "../../../src/extension/dashboard/dashboard-html";
import type { FixtureTheme } from "../../fixtures/dashboard/themes";

export const CHROMIUM = process.env.REPOTUNE_E2E_CHROMIUM ?? "/usr/bin/chromium";
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** Bundles the page as esbuild.config.mjs does (iife, browser), into a temporary folder. */
export async function bundlePage(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "repotune-dashboard-"));
  await build({
    entryPoints: { dashboard: join(ROOT, "webview/dashboard/main.ts") },
    bundle: true,
    platform: "browser",
    target: "es2022",
    format: "iife",
    outdir: dir,
    minify: true,
    logLevel: "error",
  });
  copyFileSync(join(ROOT, "node_modules/@vscode/codicons/dist/codicon.css"), join(dir, "codicon.css"));
  copyFileSync(join(ROOT, "node_modules/@vscode/codicons/dist/codicon.ttf"), join(dir, "codicon.ttf"));
  return dir;
}

const TYPES: Record<string, string> = { ".js": "text/javascript", ".css": "text/css", ".ttf": "font/ttf", ".html": "text/html" };

/** Serves the bundle; /<theme>.html is the page as VS Code would build it in that theme. */
export async function servePage(dir: string, themes: FixtureTheme[]): Promise<{ origin: string; server: Server }> {
  let origin = "";
  const server = createServer((req, res) => {
    const name = (req.url ?? "/").split("?")[0]!.slice(1);
    if (name === "favicon.ico") {
      res.writeHead(204).end(); // browsers ask for it; a webview has none
      return;
    }
    const theme = themes.find((t) => `${t.name}.html` === name);
    if (theme) {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(themedHtml(origin, theme));
      return;
    }
    if (!/^[\w.-]+$/.test(name)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(join(dir, name));
      res.writeHead(200, { "content-type": TYPES[extname(name)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, server };
}

function themedHtml(origin: string, theme: FixtureTheme): string {
  const url = (name: string) => ({ toString: () => `${origin}/${name}` }) as never;
  const html = dashboardHtml({ cspSource: origin }, { script: url("dashboard.js"), styles: url("dashboard.css"), codiconCss: url("codicon.css") }, "dGVzdG5vbmNlMTIzNDU2Nzg5");
  const style = Object.entries(theme.vars)
    .map(([k, v]) => `${k}: ${v}`)
    .join("; ");
  // Where VS Code puts them: variables on <html>, the theme kind as a class on <body>.
  return html.replace('<html lang="en">', `<html lang="en" style="${style}">`).replace("<body>", `<body class="${theme.bodyClass}">`);
}

/** The stand-in for VS Code's webview API; state survives reloads like VS Code's does. */
const STUB = `
  window.__posted = [];
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => { const s = sessionStorage.getItem("vscode-state"); return s ? JSON.parse(s) : undefined; },
    setState: (s) => sessionStorage.setItem("vscode-state", JSON.stringify(s)),
  });
`;

export async function launch(): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), "repotune-chromium-"));
  mkdirSync(profile, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1400, height: 1000 },
  });
  await context.addInitScript(STUB);
  return context;
}

export async function posted(page: Page): Promise<DashboardRequest[]> {
  return (await page.evaluate("window.__posted")) as DashboardRequest[];
}

/** Sends host messages to the page the way VS Code delivers them (a window message event). */
export async function send(page: Page, updates: DashboardUpdate[]): Promise<void> {
  // As JSON text: VS Code serializes webview messages as JSON too, and Playwright's own
  // argument serializer is far slower than JSON.parse for 100,000 events.
  await page.evaluate((json) => {
    for (const u of JSON.parse(json) as unknown[]) window.postMessage(u, "*");
  }, JSON.stringify(updates));
}

/** Waits until the page has handled everything sent and drawn (two frames and the chart throttle). */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((ok) => {
        setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => requestAnimationFrame(() => ok()), 300))), 0);
      }),
  );
}
