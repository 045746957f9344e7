// Hosts the dashboard webview: one panel per window (a window is one workspace),
// revealed again when it already exists, every message validated before it is used.
import * as vscode from "vscode";
import { parseDashboardRequest, PROTOCOL_VERSION, type DashboardAction, type DashboardUpdate } from "../../core/protocol";
import { COMMANDS } from "../command-ids";
import { makeNonce } from "../nonce";
import { dashboardHtml } from "./dashboard-html";

export const DASHBOARD_VIEW_TYPE = "repotune.dashboard";

const ACTION_COMMANDS: Record<DashboardAction, string> = {
  fineTune: COMMANDS.fineTune,
  cancelTraining: COMMANDS.cancelTraining,
  exportModel: COMMANDS.exportModel,
  exportDataset: COMMANDS.exportDataset,
  showLog: COMMANDS.showLog,
};

export interface DashboardDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  overview: () => Omit<DashboardUpdate, "v" | "type">;
}

export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static show(deps: DashboardDeps): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal();
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, "RepoTune Dashboard", vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, "out", "webview")],
    });
    DashboardPanel.current = new DashboardPanel(panel, deps);
    return DashboardPanel.current;
  }

  /** Re-attaches to a panel VS Code restored after a window reload. */
  static revive(panel: vscode.WebviewPanel, deps: DashboardDeps): void {
    DashboardPanel.current?.dispose();
    DashboardPanel.current = new DashboardPanel(panel, deps);
  }

  static refresh(): void {
    DashboardPanel.current?.postOverview();
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: DashboardDeps,
  ) {
    const webviewRoot = vscode.Uri.joinPath(deps.extensionUri, "out", "webview");
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, "media", "icon.png");
    panel.webview.html = dashboardHtml(
      panel.webview,
      {
        script: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, "dashboard.js")),
        codiconCss: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, "codicon.css")),
      },
      makeNonce(),
    );
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
    panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw), undefined, this.disposables);
  }

  private onMessage(raw: unknown): void {
    let request;
    try {
      request = parseDashboardRequest(raw);
    } catch (err) {
      this.deps.log.warn(`Ignored a malformed message from the dashboard: ${(err as Error).message}`);
      return;
    }
    if (request.type === "ready") this.postOverview();
    else void vscode.commands.executeCommand(ACTION_COMMANDS[request.action]);
  }

  private postOverview(): void {
    const update: DashboardUpdate = { v: PROTOCOL_VERSION, type: "overview", ...this.deps.overview() };
    void this.panel.webview.postMessage(update);
  }

  dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
