// The dashboard page's HTML: a strict Content-Security-Policy (scripts only with this
// render's nonce, styles and fonts only from the extension, no remote content at all) and
// the page's own stylesheet, which uses VS Code's theme variables for every colour. No vscode
// at run time (types only), so test/unit/dashboard/csp.test.ts renders it as VS Code would.
import type * as vscode from "vscode";
import { makeNonce } from "./nonce";

export interface DashboardPageUris {
  script: vscode.Uri;
  /** dashboard.css: the page's styles and uPlot's, bundled by esbuild from the script's imports. */
  styles: vscode.Uri;
  codiconCss: vscode.Uri;
}

/**
 * The only folders of the extension the webview may load from (its localResourceRoots), as
 * path segments under the extension's folder: the built page and its assets. Never the
 * workspace, the data folder or a model folder.
 */
export const DASHBOARD_RESOURCE_ROOTS: readonly (readonly string[])[] = [["out", "webview"]];

export function dashboardCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    // No 'unsafe-inline' for styles either: Lit (inside @vscode-elements) adopts constructed
    // stylesheets, which CSP does not govern, uPlot sets positions through element.style (the
    // CSSOM, also outside CSP), and VS Code sets its theme variables the same way. The page
    // renders without a CSP violation in Chromium (test/integration/dashboard/render.test.ts)
    // and in code-server (test/e2e/ui.test.ts).
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    // The page talks to the host only through postMessage.
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/** The page; a fresh nonce on every render unless a test pins one. */
export function dashboardHtml(webview: Pick<vscode.Webview, "cspSource">, uris: DashboardPageUris, nonce: string = makeNonce()): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${dashboardCsp(webview.cspSource, nonce)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${uris.codiconCss.toString()}" id="vscode-codicon-stylesheet">
  <link rel="stylesheet" href="${uris.styles.toString()}">
  <title>RepoTune</title>
</head>
<body>
  <main id="app">
    <h1>RepoTune</h1>
    <p class="muted">Loading the dashboard…</p>
  </main>
  <script nonce="${nonce}" src="${uris.script.toString()}"></script>
</body>
</html>`;
}
