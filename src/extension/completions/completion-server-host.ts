// Keeps one completion server per workspace folder that has a model, on the GGUF its
// data folder's active.json names, and restarts it when a new model is activated.
import { basename, join } from "node:path";
import { watch, type FSWatcher } from "node:fs";
import * as vscode from "vscode";
import { ACTIVE_MODEL_FILE, readActiveModel, type ActiveModel } from "../../core/runs/active-model";
import { CompletionServerClient } from "../../worker/clients/completion-server-client";
import { dataFolderFor } from "../settings/data-folder";

export interface ServerHandle {
  client: CompletionServerClient;
  model: ActiveModel;
  modelName: string;
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

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The server for a folder's active model, started on first use; undefined with no model yet. */
  serverFor(folder: vscode.WorkspaceFolder): ServerHandle | undefined {
    const key = folder.uri.toString();
    const model = this.activeModelOf(folder);
    const current = this.servers.get(key);
    if (current && model && current.model.gguf === model.gguf && current.model.activatedAt === model.activatedAt) return current;
    current?.client.dispose();
    this.servers.delete(key);
    if (!model) return undefined;
    const client = new CompletionServerClient({
      serverScript: join(this.context.extensionPath, "out", "completion-server.js"),
      modelPath: model.gguf,
      onLog: (line) => this.log.debug(`[completion server] ${line}`),
    });
    const handle: ServerHandle = { client, model, modelName: `${model.role} of run ${model.runId}` };
    this.servers.set(key, handle);
    this.log.info(`Completions for ${folder.name} from ${basename(model.gguf)} (${handle.modelName})`);
    client.start().then(
      () => this.log.info(`Completion server ready on ${client.device || "CPU"}`),
      (err: Error) => this.log.error(`Completion server failed to start: ${err.message}`),
    );
    return handle;
  }

  /** The model that serves the active editor's folder, for the status bar. */
  activeModelName(): string | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    const model = this.activeModelOf(folder);
    return model ? `${model.role} of run ${model.runId}` : undefined;
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
  }
}
