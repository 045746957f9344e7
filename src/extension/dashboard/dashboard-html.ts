// The dashboard page's HTML: a strict Content-Security-Policy (scripts only with this
// render's nonce, styles and fonts only from the extension, no remote content at all) and
// the page's own stylesheet, which uses VS Code's theme variables for every colour.
import type * as vscode from "vscode";

export interface DashboardPageUris {
  script: vscode.Uri;
  /** dashboard.css: the page's styles and uPlot's, bundled by esbuild from the script's imports. */
  styles: vscode.Uri;
  codiconCss: vscode.Uri;
}

export function dashboardCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    // Lit (inside @vscode-elements) adopts constructed stylesheets and uPlot positions its
    // cursor with style attributes; 'unsafe-inline' covers those. Scripts stay locked to the nonce.
    `style-src ${cspSource} 'unsafe-inline'`,
    `script-src 'nonce-${nonce}'`,
    // The page talks to the host only through postMessage.
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join("; ");
}

export function dashboardHtml(webview: Pick<vscode.Webview, "cspSource">, uris: DashboardPageUris, nonce: string): string {
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
