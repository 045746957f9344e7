// "RepoTune: Fine-tune on this repo" and "RepoTune: Cancel training": runs one pipeline
// job in a forked training worker, shows it as a cancellable progress notification and
// in the status bar, logs its stages, and offers the next steps when it ends.
import { join } from "node:path";
import * as vscode from "vscode";
import type { BaseSetting } from "../models/base-setting";
import type { TrainingJob, WorkerEvent } from "../../core/protocol";
import { resumableRun } from "../../core/runs/run-record";
import { TrainingWorkerClient } from "../../worker/clients/training-worker-client";
import { COMMANDS, INTERNAL_COMMANDS } from "../settings/command-ids";
import { readSettings, SETTINGS_SECTION } from "../settings/config";
import { dataFolderFor } from "../settings/data-folder";
import type { RepoTuneStatusBar } from "../status/status-bar";
import { requireTrust } from "../settings/trust";
import { pickPreset } from "./preset-picker";
import { RunLock } from "../../core/runs/run-lock";

export interface ActiveRun {
  folder: vscode.WorkspaceFolder;
  client: TrainingWorkerClient;
  job: TrainingJob;
  events: WorkerEvent[];
}

export interface TrainingObserver {
  onEvent(event: WorkerEvent, run: ActiveRun): void;
}

function formatEta(sec: number): string {
  if (!Number.isFinite(sec) || sec <= 0) return "";
  return sec < 90 ? `${Math.round(sec)} s left` : `${Math.round(sec / 60)} min left`;
}

export class TrainingController implements vscode.Disposable {
  private active: ActiveRun | undefined;
  private readonly observers = new Set<TrainingObserver>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly statusBar: RepoTuneStatusBar,
    /** repotune.baseModel resolved for a folder (models/base-setting). */
    private readonly bases?: BaseSetting,
  ) {}

  get running(): ActiveRun | undefined {
    return this.active;
  }

  observe(observer: TrainingObserver): vscode.Disposable {
    this.observers.add(observer);
    return { dispose: () => this.observers.delete(observer) };
  }

  /** The whole command. Options let tests and the dashboard skip the questions. */
  async fineTune(options: { folder?: vscode.WorkspaceFolder; preset?: TrainingJob["preset"]; resume?: boolean } = {}): Promise<"done" | "failed" | "cancelled" | "declined"> {
    if (!requireTrust("Fine-tune on this repo")) return "declined";
    if (this.active) {
      void vscode.window.showInformationMessage(`RepoTune is already training on ${this.active.folder.name}. Cancel it first (RepoTune: Cancel training).`, "Open dashboard").then((c) => {
        if (c) void vscode.commands.executeCommand(COMMANDS.openDashboard);
      });
      return "declined";
    }
    const folder = options.folder ?? (await this.pickFolder());
    if (!folder) return "declined";
    const settings = readSettings(folder.uri);
    const out = dataFolderFor(this.context, folder);

    let resume = options.resume ?? false;
    const cutOff = resumableRun(out);
    if (options.resume === undefined && cutOff) {
      const answer = await vscode.window.showInformationMessage(
        `A RepoTune run on ${folder.name} (preset ${cutOff.job.preset}, started ${new Date(cutOff.startedAt).toLocaleString()}) did not finish. Resume it from its last checkpoint?`,
        { modal: true },
        "Resume",
        "Start over",
      );
      if (!answer) return "declined";
      resume = answer === "Resume";
    }
    const preset = resume && cutOff ? cutOff.job.preset : (options.preset ?? (await pickPreset(settings.preset, out)));
    if (!preset) return "declined";

    // The training worker takes the lock itself (core/runs/run-lock); asking first spares the
    // user a run that would only fail to start.
    const heldBy = RunLock.holder(out);
    if (heldBy !== undefined) {
      void vscode.window.showWarningMessage(`RepoTune is already training on ${folder.name} in another VS Code window or a terminal (process ${heldBy}).`);
      return "declined";
    }
    const base = this.bases?.trainingPathFor(folder);
    const problem = this.bases?.problemFor(folder);
    if (problem) void vscode.window.showWarningMessage(`RepoTune: the base model setting cannot be used (${problem}); this run trains from scratch.`);
    const job: TrainingJob = { repo: folder.uri.fsPath, out, preset, backend: settings.backend, resume, activate: settings.activation, ...(base ? { base } : {}), lora: settings.lora };
    return await this.run(folder, job, settings.maxWorkerHeapMb);
  }

  cancel(): void {
    if (!this.active) {
      void vscode.window.showInformationMessage("RepoTune: no training is running.");
      return;
    }
    this.log.info("Cancelling: the worker stops at its next step and keeps the last checkpoint.");
    this.active.client.cancel();
  }

  private async pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      void vscode.window.showInformationMessage("RepoTune: open a folder with your code first, then Fine-tune on this repo.");
      return undefined;
    }
    if (folders.length === 1) return folders[0];
    return vscode.window.showWorkspaceFolderPick({ placeHolder: "Which folder should RepoTune fine-tune on?", ignoreFocusOut: true });
  }

  private run(folder: vscode.WorkspaceFolder, job: TrainingJob, maxHeapMb: number): Promise<"done" | "failed" | "cancelled"> {
    this.log.info(`Fine-tuning on ${folder.name} (${job.repo}) with preset ${job.preset}, backend ${job.backend}${job.resume ? ", resuming" : ""}; data in ${job.out}`);
    return Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `RepoTune: fine-tuning on ${folder.name}`, cancellable: true },
        async (progress, token) => {
          const events: WorkerEvent[] = [];
          let lastPercent = 0;
          const client = new TrainingWorkerClient({
            workerScript: join(this.context.extensionPath, "out", "training-worker.js"),
            maxHeapMb,
            onEvent: (event) => {
              events.push(event);
              lastPercent = this.report(event, progress, lastPercent);
              for (const o of this.observers) o.onEvent(event, run);
            },
            onStderr: (line) => line.trim() && this.log.debug(`[worker] ${line}`),
          });
          const run: ActiveRun = { folder, client, job, events };
          this.active = run;
          token.onCancellationRequested(() => this.cancel());
          try {
            client.start(job);
            await client.exited;
          } finally {
            this.active = undefined;
            this.statusBar.update({ training: undefined });
          }
          return this.finish(events);
        },
      ),
    );
  }

  /** Updates the notification, the status bar and the log for one event; returns the stage percent shown. */
  private report(event: WorkerEvent, progress: vscode.Progress<{ message?: string; increment?: number }>, lastPercent: number): number {
    switch (event.type) {
      case "run-start":
        this.log.info(`Run ${event.runId}: backend ${event.backend} on ${event.device}`);
        return lastPercent;
      case "stage-start":
        this.log.info(`Stage ${event.stage} started (${event.totalSteps} steps)`);
        progress.report({ message: `${event.stage}…`, increment: -lastPercent });
        this.statusBar.update({ training: { stage: event.stage, percent: 0 } });
        return 0;
      case "progress": {
        const percent = event.totalSteps ? (100 * event.step) / event.totalSteps : 0;
        const eta = formatEta(event.etaSec);
        progress.report({ message: `${event.stage} ${Math.round(percent)}%${eta ? `, ${eta}` : ""} (loss ${event.loss.toFixed(3)})`, increment: percent - lastPercent });
        this.statusBar.update({ training: { stage: event.stage, percent } });
        return percent;
      }
      case "stage-end":
        this.log.info(`Stage ${event.stage} ${event.status}${event.reason ? `: ${event.reason}` : ""}${event.durationSec ? ` (${event.durationSec.toFixed(1)} s)` : ""}`);
        return lastPercent;
      case "eval":
        this.log.info(`Evaluation ${event.stage}: ${JSON.stringify(event.metrics)}`);
        return lastPercent;
      case "log":
        this.log[event.level](event.message);
        return lastPercent;
      case "error":
        this.log.error(`${event.message} ${event.hint}`);
        return lastPercent;
      default:
        return lastPercent;
    }
  }

  private finish(events: WorkerEvent[]): "done" | "failed" | "cancelled" {
    const error = events.find((e) => e.type === "error");
    const activation = events.find((e) => e.type === "activation");
    if (events.some((e) => e.type === "done") && activation?.type === "activation" && !activation.activated) {
      this.log.warn(`Fine-tuning finished; the new model was not activated: ${activation.reason}`);
      const runId = activation.runId;
      void vscode.window.showInformationMessage(`RepoTune: fine-tuning finished, but the new model was not activated: ${activation.reason}.`, "Activate anyway", "Open dashboard").then(async (choice) => {
        if (choice === "Activate anyway") await vscode.commands.executeCommand(INTERNAL_COMMANDS.useRunModel, { runId });
        if (choice === "Open dashboard") await vscode.commands.executeCommand(COMMANDS.openDashboard);
      });
      return "done";
    }
    if (events.some((e) => e.type === "done")) {
      this.log.info("Fine-tuning finished.");
      void vscode.window.showInformationMessage("RepoTune: fine-tuning finished.", "Open dashboard", "Enable completions").then(async (choice) => {
        if (choice === "Open dashboard") await vscode.commands.executeCommand(COMMANDS.openDashboard);
        if (choice === "Enable completions") {
          await vscode.workspace.getConfiguration(SETTINGS_SECTION).update("completions.enabled", true, vscode.ConfigurationTarget.Global);
        }
      });
      return "done";
    }
    if (events.some((e) => e.type === "stage-end" && e.status === "cancelled")) {
      this.log.info("Fine-tuning cancelled; the last checkpoint is kept. Fine-tune again to resume.");
      void vscode.window.showInformationMessage("RepoTune: training cancelled. Fine-tune again to resume from the last checkpoint.");
      return "cancelled";
    }
    const message = error && error.type === "error" ? `${error.message} ${error.hint}` : "the training worker stopped without a result.";
    void vscode.window.showErrorMessage(`RepoTune: ${message}`, "Show log").then((c) => {
      if (c) this.log.show(true);
    });
    return "failed";
  }

  dispose(): void {
    // Closing VS Code stops the worker; the run stays resumable from its last checkpoint.
    this.active?.client.kill();
  }
}
