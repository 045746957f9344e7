// Hosts the dashboard webview: one panel per window (a window is one workspace), revealed
// again when it already exists, restored after a reload by the serializer, and every message
// from the page validated before it is used.
import * as vscode from "vscode";
import { parseDashboardRequest, PROTOCOL_VERSION, type DashboardOverview, type DashboardRequest, type DashboardUpdate } from "../../core/protocol";
import { readSettings } from "../settings/config";
import { runDashboardAction } from "./dashboard-actions";
import { DASHBOARD_RESOURCE_ROOTS, dashboardHtml } from "./dashboard-html";
import { RunFeed } from "./run-feed";

export const DASHBOARD_VIEW_TYPE = "repotune.dashboard";

/** The webview may load the extension's built page and nothing else (dashboard-html.ts). */
const resourceRoots = (extensionUri: vscode.Uri) => DASHBOARD_RESOURCE_ROOTS.map((segments) => vscode.Uri.joinPath(extensionUri, ...segments));

export interface DashboardDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  overview: () => Omit<DashboardOverview, "v" | "type">;
  /**
   * The folder holding runs/<run-id>/events.jsonl and feedback/events.jsonl (the
   * `repotune.dataFolder` setting, or the extension's workspace storage). Without it the
   * dashboard shows no runs.
   */
  dataDir?: () => string | undefined;
}

export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly feed: RunFeed;

  static show(deps: DashboardDeps): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal();
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, "RepoTune Dashboard", vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: resourceRoots(deps.extensionUri),
    });
    DashboardPanel.current = new DashboardPanel(panel, deps);
    return DashboardPanel.current;
  }

  /** Re-attaches to a panel VS Code restored after a window reload. */
  static revive(panel: vscode.WebviewPanel, deps: DashboardDeps): void {
    DashboardPanel.current?.dispose();
    DashboardPanel.current = new DashboardPanel(panel, deps);
  }

  /** Sends the overview again (trust granted, a run started or ended, a model activated). */
  static refresh(): void {
    DashboardPanel.current?.postOverview();
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: DashboardDeps,
  ) {
    const webviewRoot = vscode.Uri.joinPath(deps.extensionUri, "out", "webview");
    panel.webview.options = { enableScripts: true, localResourceRoots: resourceRoots(deps.extensionUri) };
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, "media", "icon.png");
    const asset = (name: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, name));
    panel.webview.html = dashboardHtml(
      panel.webview,
      { script: asset("dashboard.js"), styles: asset("dashboard.css"), codiconCss: asset("codicon.css") },
    ); // a fresh nonce for each render
    this.feed = new RunFeed(deps.dataDir ?? (() => undefined), (u) => this.post(u), deps.log);
    this.disposables.push(this.feed);
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
    panel.onDidChangeViewState(
      (e) => {
        // A hidden panel's page is unloaded; it says "ready" again when shown.
        if (!e.webviewPanel.visible) this.feed.stop();
      },
      undefined,
      this.disposables,
    );
    panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw), undefined, this.disposables);
  }

  private async onMessage(raw: unknown): Promise<void> {
    let request: DashboardRequest;
    try {
      request = parseDashboardRequest(raw);
    } catch (err) {
      this.deps.log.warn(`Ignored a malformed message from the dashboard: ${(err as Error).message}`);
      return;
    }
    switch (request.type) {
      case "ready":
        this.postOverview();
        await this.feed.start(request.runId);
        return;
      case "selectRun":
        await this.feed.select(request.runId, false);
        return;
      case "action": {
        const outcome = await runDashboardAction(request, { runDir: this.feed.selectedRunDir(), dataDir: this.feed.dataDir });
        if (!outcome.ok) {
          this.deps.log.info(`Dashboard: ${outcome.text}`);
          this.post({ v: PROTOCOL_VERSION, type: "notice", level: outcome.level, text: outcome.text });
        }
        return;
      }
    }
  }

  private postOverview(): void {
    this.post({ v: PROTOCOL_VERSION, type: "overview", defaultPreset: readSettings().preset, ...this.deps.overview() });
  }

  private post(update: DashboardUpdate): void {
    void this.panel.webview.postMessage(update);
  }

  dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
