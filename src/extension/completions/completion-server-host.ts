// Keeps one completion server per workspace folder that has a model, on the GGUF its
// data folder's active.json names, and restarts it when a new model is activated. Before any
// fine-tuned model is active, the folder's chosen base (repotune.baseModel) serves: completions
// work from the first minute, and fine-tuning improves on something that already works.
import { basename, join } from "node:path";
import { existsSync } from "node:fs";
import { FILTER_FILE } from "../../core/math/filter-threshold";
import type { ServingFilter } from "../../core/protocol";
import { runArtifacts } from "../../core/runs/run-artifacts";
import { readSettings } from "../settings/config";
import { servingChoice } from "../../core/runs/serving-choice";
import { watch, type FSWatcher } from "node:fs";
import * as vscode from "vscode";
import { ACTIVE_MODEL_FILE, readActiveModel, type ActiveModel } from "../../core/runs/active-model";
import { CompletionServerClient } from "../../worker/clients/completion-server-client";
import { dataFolderFor } from "../settings/data-folder";

/** What serves a folder: a run's activated model, or the base before any is. */
export interface ServingModel {
  /** A GGUF file, or a Hugging Face folder the server exports once. */
  path: string;
  /** For the status bar and the log: "student of run X", "base qwen2.5-coder-0.5b-q8_0.gguf". */
  name: string;
  /** Changes when the same path holds a newer model (a re-activation). */
  version: string;
  /** A run's model (the feedback log names it), or the base. */
  kind: "run" | "base";
  /** A LoRA run's GGUF adapter over `path` (the base). */
  lora?: string;
}

export interface ServerHandle {
  client: CompletionServerClient;
  model: ServingModel;
  modelName: string;
  /** The reward model it judges with (repotune.completions.filter and .bestOf, the run's reward model), if any. */
  filter?: ServingFilter;
  /** The host's filter setting generation it started under: a change restarts it. */
  filterVersion: number;
}

/** The folder's base model as a local path, or undefined when none is chosen or it cannot be found. */
export type BaseLocator = (folder: vscode.WorkspaceFolder) => string | undefined;

function fromActive(m: ActiveModel): ServingModel {
  return { path: m.gguf, name: `${m.role} of run ${m.runId}${m.lora ? " (LoRA over its base)" : ""}`, version: m.activatedAt, kind: "run", ...(m.lora ? { lora: m.lora } : {}) };
}

export class CompletionServerHost implements vscode.Disposable {
  private readonly servers = new Map<string, ServerHandle>();
  private readonly watchers = new Map<string, FSWatcher>();
  /** active.json per folder, read once and again only when the watcher sees it change: the
   *  completion hot path asks on every request and must not touch the disk for it. */
  private readonly models = new Map<string, ActiveModel | undefined>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a folder's active model appears, changes or goes. */
  readonly onDidChangeModel = this.changed.event;
  private readonly stoppedEmitter = new vscode.EventEmitter<string>();
  /** Fires with the reason when a server crashed too often and is no longer restarted. */
  readonly onDidStop = this.stoppedEmitter.event;

  /** Bumped when repotune.completions.filter changes: servers started before restart on the next request. */
  private filterVersion = 0;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly baseOf: BaseLocator = () => undefined,
  ) {}

  /** The filter setting changed: every server restarts on its next request, with the filter or without. */
  filterChanged(): void {
    this.filterVersion++;
    this.changed.fire();
  }

  /** The base setting changed: servers on an old base restart on the next request. */
  baseChanged(): void {
    this.changed.fire();
  }

  /** The server for a folder's active model, started on first use; undefined with no model yet. */
  serverFor(folder: vscode.WorkspaceFolder): ServerHandle | undefined {
    const key = folder.uri.toString();
    const model = this.servingModelOf(folder);
    const current = this.servers.get(key);
    if (current && model && current.model.path === model.path && current.model.version === model.version && current.filterVersion === this.filterVersion) return current;
    current?.client.dispose();
    this.servers.delete(key);
    if (!model) return undefined;
    const filter = this.filterFor(folder, model);
    const client = new CompletionServerClient({
      ...(filter ? { filter } : {}),
      serverScript: join(this.context.extensionPath, "out", "completion-server.js"),
      modelPath: model.path,
      ...(model.lora ? { lora: model.lora } : {}),
      onLog: (line) => this.log.debug(`[completion server] ${line}`),
      onStopped: (reason) => {
        this.log.error(`Completions for ${folder.name} stopped: ${reason}`);
        this.stoppedEmitter.fire(reason);
      },
    });
    const handle: ServerHandle = { client, model, modelName: model.name, filterVersion: this.filterVersion, ...(filter ? { filter } : {}) };
    this.servers.set(key, handle);
    this.log.info(`Completions for ${folder.name} from ${basename(model.path)} (${handle.modelName})${filter ? `, filtered (${filter.mode}) by ${filter.rewardModelDir}` : ""}`);
    client.start().then(
      () => this.log.info(`Completion server ready on ${client.device || "CPU"}`),
      (err: Error) => this.log.error(`Completion server failed to start: ${err.message}`),
    );
    return handle;
  }

  /** The user asked again (completions toggled): servers that crashed too often may start once more. */
  resetCrashes(): void {
    for (const s of this.servers.values()) s.client.resetCrashes();
  }

  /** The model that serves the active editor's folder, for the status bar. */
  activeModelName(): string | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    return this.servingModelOf(folder)?.name;
  }

  /**
   * The filter a new server loads: repotune.completions.filter when not off, and the active
   * run's reward model folder (its `done` event's rewardModel artifact) when it holds filter.json.
   * A base, or a run without a reward model or thresholds, serves unfiltered.
   */
  private filterFor(folder: vscode.WorkspaceFolder, model: ServingModel): ServerHandle["filter"] {
    const { completionFilter: mode, completionBestOf: bestOf } = readSettings(folder.uri);
    if ((mode === "off" && bestOf <= 1) || model.kind !== "run") return undefined;
    const active = this.activeModelOf(folder);
    if (!active) return undefined;
    let dir: string | undefined;
    try {
      dir = runArtifacts(dataFolderFor(this.context, folder), active.runId)?.rewardModel;
    } catch (err) {
      this.log.warn(`Cannot read run ${active.runId}'s artifacts for the completion filter: ${(err as Error).message}`);
      return undefined;
    }
    if (!dir || !existsSync(join(dir, FILTER_FILE))) {
      this.log.info(`repotune.completions.filter is ${mode} and bestOf ${bestOf}, but run ${active.runId} has no reward model with ${FILTER_FILE}: completions are greedy and not filtered`);
      return undefined;
    }
    return { mode, rewardModelDir: dir, ...(bestOf > 1 ? { bestOf } : {}) };
  }

  /** The run's active model or the chosen base, by core/runs/serving-choice. */
  private servingModelOf(folder: vscode.WorkspaceFolder): ServingModel | undefined {
    const choice = servingChoice(this.activeModelOf(folder), this.baseOf(folder));
    if (choice.kind === "run") return fromActive(choice.active);
    if (choice.kind === "base") return { path: choice.path, name: `base ${basename(choice.path)}`, version: choice.path, kind: "base" };
    return undefined;
  }

  private activeModelOf(folder: vscode.WorkspaceFolder): ActiveModel | undefined {
    const key = folder.uri.toString();
    if (!this.models.has(key)) {
      const out = dataFolderFor(this.context, folder);
      this.watch(key, out);
      this.models.set(key, readActiveModel(out));
    }
    return this.models.get(key);
  }

  private watch(key: string, out: string): void {
    if (this.watchers.has(key)) return;
    try {
      const watcher = watch(out, (_event, name) => {
        if (name !== ACTIVE_MODEL_FILE) return;
        this.models.delete(key);
        this.changed.fire();
      });
      this.watchers.set(key, watcher);
    } catch (err) {
      this.log.warn(`Cannot watch ${out} for new models: ${(err as Error).message}`);
    }
  }

  dispose(): void {
    for (const s of this.servers.values()) s.client.dispose();
    for (const w of this.watchers.values()) w.close();
    this.servers.clear();
    this.changed.dispose();
    this.stoppedEmitter.dispose();
  }
}
