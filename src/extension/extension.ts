// Entry point of the extension host side. It only wires things together: each concern
// lives in its own file. No tensors and no native inference ever load here (DESIGN.md).
import * as vscode from "vscode";
import { COMMANDS, INTERNAL_COMMANDS } from "./settings/command-ids";
import { readSettings, SETTINGS_SECTION } from "./settings/config";
import { dashboardDataDir } from "./dashboard/data-dir";
import { DashboardPanel, DASHBOARD_VIEW_TYPE, type DashboardDeps } from "./dashboard/dashboard-panel";
import { exportDataset, exportModel, useRunModel } from "./exports/export-commands";
import { importFeedbackCommand } from "./exports/import-feedback-command";
import { RepoTuneStatusBar } from "./status/status-bar";
import { readAcceptanceStats } from "../core/feedback/feedback-log";
import { dataFolderFor } from "./settings/data-folder";
import { createFeedbackTracker } from "./completions/feedback-bridge";
import { CompletionServerHost } from "./completions/completion-server-host";
import { RepoTuneInlineProvider } from "./completions/inline-provider";
import { ExcludedFiles } from "./completions/excluded-files";
import { OpenFilesContext } from "./completions/open-files-context";
import { fineTuneOptions } from "./training/fine-tune-options";
import { TrainingController } from "./training/training-controller";
import { BaseSetting } from "./models/base-setting";
import { chooseBase, offerBaseOnce } from "./models/choose-base";
import { registerGuardedCommand, RESTRICTED_MESSAGE } from "./settings/trust";
import type { AnyCommandId } from "./settings/command-policy";

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("RepoTune", { log: true });
  context.subscriptions.push(log);
  log.info(`RepoTune ${String(context.extension.packageJSON.version)} activated (VS Code ${vscode.version}).`);
  if (!vscode.workspace.isTrusted) log.warn(RESTRICTED_MESSAGE);

  const statusBar = new RepoTuneStatusBar({ completionsEnabled: readSettings().completionsEnabled });
  context.subscriptions.push(statusBar);

  // The base model (repotune.baseModel): what runs start from and what completes before them.
  const bases = new BaseSetting(log);
  const training = new TrainingController(context, log, statusBar, bases);
  context.subscriptions.push(
    training,
    // The dashboard's Cancel and Start buttons follow the run at once, not at its next poll.
    training.observe({ onEvent: (e) => (e.type === "run-start" || e.type === "done" || e.type === "error" ? DashboardPanel.refresh() : undefined) }),
  );

  // Inline completions from the active model, and the feedback they earn.
  const servers = new CompletionServerHost(context, log, (folder) => bases.pathFor(folder));
  const acceptance = { accepted: 0, partial: 0, shown: 0 };
  const showAcceptance = () => {
    if (acceptance.shown === 0) return;
    const rate = (acceptance.accepted + 0.5 * acceptance.partial) / acceptance.shown;
    statusBar.update({ acceptance: { rate, accepted: acceptance.accepted, shown: acceptance.shown } });
  };
  const refreshModel = () => statusBar.update({ activeModel: servers.activeModelName() });
  context.subscriptions.push(servers.onDidStop((reason) => statusBar.update({ stopped: reason })));
  const feedback = createFeedbackTracker(context, (e) => {
    acceptance.shown++;
    if (e.outcome === "accepted") acceptance.accepted++;
    if (e.outcome === "partial") acceptance.partial++;
    showAcceptance();
  });
  const excluded = new ExcludedFiles();
  const openFiles = new OpenFilesContext(excluded);
  const filterCounts = { judged: 0, heldBack: 0 };
  /** The filter setting of the active editor's folder, when it is on. */
  const filterMode = (): "balanced" | "strict" | undefined => {
    const mode = readSettings(vscode.window.activeTextEditor?.document.uri).completionFilter;
    return mode === "off" ? undefined : mode;
  };
  const provider = new RepoTuneInlineProvider(servers, excluded, openFiles, feedback.tracker, log, (ms) => statusBar.update({ lastLatencyMs: ms }), (heldBack) => {
    filterCounts.judged++;
    if (heldBack) filterCounts.heldBack++;
    statusBar.update({ filter: { ...filterCounts } });
    DashboardPanel.refresh();
  });
  context.subscriptions.push(
    servers,
    openFiles,
    feedback.disposable,
    vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, provider),
    servers.onDidChangeModel(refreshModel),
    vscode.window.onDidChangeActiveTextEditor(refreshModel),
  );
  refreshModel();
  // The rate covers the folder's whole feedback history; reading it waits until activation is done.
  const firstFolder = vscode.workspace.workspaceFolders?.[0];
  if (firstFolder && vscode.workspace.isTrusted) {
    setImmediate(() => {
      const history = readAcceptanceStats(dataFolderFor(context, firstFolder));
      acceptance.accepted += history.accepted;
      acceptance.partial += history.partial;
      acceptance.shown += history.shown;
      showAcceptance();
    });
  }

  const dashboardDeps: DashboardDeps = {
    extensionUri: context.extensionUri,
    log,
    dataDir: () => dashboardDataDir(context),
    overview: () => ({
      workspaceName: vscode.workspace.name ?? "no folder open",
      trusted: vscode.workspace.isTrusted,
      running: training.running !== undefined,
      activeModel: servers.activeModelName() ?? null,
      ...(filterMode() ? { filter: { mode: filterMode()!, ...filterCounts } } : {}),
      message: vscode.workspace.isTrusted
        ? "No training run yet. Fine-tune on this repository to see its stages, losses and evaluation here."
        : RESTRICTED_MESSAGE,
    }),
  };

  // Every command goes through its Restricted Mode rule (settings/command-policy.ts): those that
  // gather, train, export, import or log refuse in an untrusted workspace, all with one message.
  const register = (id: AnyCommandId, run: (...args: unknown[]) => unknown) => context.subscriptions.push(registerGuardedCommand(id, run));

  register(COMMANDS.fineTune, async (options?: unknown) => {
    try {
      return await training.fineTune(fineTuneOptions(options));
    } finally {
      // The run is over (done, cancelled or failed): the dashboard's buttons (Fine-tune,
      // Cancel, Resume) and the status bar's model follow now. The run's own events come
      // while it still counts as running, so refreshing on them alone left Cancel enabled
      // and Fine-tune disabled after a cancel, and "no model" after a finished run.
      DashboardPanel.refresh();
      refreshModel();
    }
  });
  register(COMMANDS.openDashboard, () => DashboardPanel.show(dashboardDeps));
  register(COMMANDS.cancelTraining, () => training.cancel());
  const baseChanged = () => {
    bases.forget();
    servers.baseChanged();
    refreshModel();
  };
  register(COMMANDS.chooseBaseModel, () => chooseBase(log, baseChanged));
  if (vscode.workspace.isTrusted) setTimeout(() => void offerBaseOnce(context, log, baseChanged), 3000);
  register(COMMANDS.exportDataset, () => exportDataset(context));
  register(COMMANDS.exportModel, (raw?: unknown) => exportModel(context, raw));
  register(COMMANDS.importFeedback, () => importFeedbackCommand(context, log));
  register(INTERNAL_COMMANDS.useRunModel, (raw?: unknown) => useRunModel(context, raw));
  register(COMMANDS.toggleCompletions, async () => {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const enabled = !readSettings().completionsEnabled;
    await config.update("completions.enabled", enabled, vscode.ConfigurationTarget.Global);
    void vscode.window.showInformationMessage(`RepoTune inline completions ${enabled ? "enabled" : "disabled"}.`);
  });
  register(COMMANDS.showLog, () => log.show(true));

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SETTINGS_SECTION}.baseModel`)) baseChanged();
      if (e.affectsConfiguration(`${SETTINGS_SECTION}.completions.filter`) || e.affectsConfiguration(`${SETTINGS_SECTION}.completions.bestOf`)) servers.filterChanged();
      if (e.affectsConfiguration(`${SETTINGS_SECTION}.completions.enabled`)) {
        // Toggling is also how a user tries again after the server crashed too often.
        servers.resetCrashes();
        statusBar.update({ completionsEnabled: readSettings().completionsEnabled, stopped: undefined });
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info("Workspace trusted: RepoTune is fully enabled.");
      DashboardPanel.refresh();
    }),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => DashboardPanel.revive(panel, dashboardDeps),
    }),
  );
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
