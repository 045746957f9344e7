// The dashboard page's HTML: a strict Content-Security-Policy (scripts only with this
// render's nonce, styles and fonts only from the extension, no remote content at all)
// and VS Code's theme variables for every colour.
import type * as vscode from "vscode";

export interface DashboardPageUris {
  script: vscode.Uri;
  codiconCss: vscode.Uri;
}

export function dashboardHtml(webview: vscode.Webview, uris: DashboardPageUris, nonce: string): string {
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    // Lit (inside @vscode-elements) adopts constructed stylesheets; 'unsafe-inline' covers
    // the style attributes it sets. Scripts stay locked to the nonce.
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${uris.codiconCss.toString()}" id="vscode-codicon-stylesheet">
  <title>RepoTune</title>
  <style>
    body { color: var(--vscode-foreground); background: var(--vscode-editor-background);
           font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 20px; }
    h1 { font-weight: 600; font-size: 1.5em; }
    .muted { color: var(--vscode-descriptionForeground); }
    .notice { border-left: 3px solid var(--vscode-editorWarning-foreground); padding: 4px 10px; }
    .actions { display: flex; gap: 8px; flex-wrap: wrap; margin: 16px 0; }
  </style>
</head>
<body>
  <main id="app" aria-live="polite">
    <h1>RepoTune</h1>
    <p class="muted">Loading the dashboard…</p>
  </main>
  <script nonce="${nonce}" src="${uris.script.toString()}"></script>
</body>
</html>`;
}
