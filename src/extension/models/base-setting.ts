// repotune.baseModel -> the file or folder the run starts from and completions come from. The
// setting holds a path or a name (`repotune models`); resolving never downloads. A base that
// cannot be found is logged once per value with the reason, and the folder trains from scratch.
import * as vscode from "vscode";
import { repotuneModelsFolder, resolveBase } from "../../hub";
import { readSettings } from "../settings/config";

export class BaseSetting {
  private readonly resolved = new Map<string, { path?: string; problem?: string }>();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The base that serves `folder`, or undefined (none set, or it cannot be used). */
  pathFor(folder: vscode.WorkspaceFolder | undefined): string | undefined {
    return this.lookup(folder, false).path;
  }

  /** The base a run on `folder` starts from, or undefined: then problemFor says why, if a base is set. */
  trainingPathFor(folder: vscode.WorkspaceFolder | undefined): string | undefined {
    return this.lookup(folder, true).path;
  }

  /** Why the set base cannot be trained from (or used at all), or undefined. */
  problemFor(folder: vscode.WorkspaceFolder | undefined): string | undefined {
    return this.lookup(folder, true).problem;
  }

  /** The setting or the models on disk changed: resolve again. */
  forget(): void {
    this.resolved.clear();
  }

  private lookup(folder: vscode.WorkspaceFolder | undefined, forTraining: boolean): { path?: string; problem?: string } {
    const value = readSettings(folder?.uri).baseModel;
    if (!value) return {};
    // A relative path is the workspace folder's: the key holds the folder for that reason.
    const key = `${folder?.uri.fsPath ?? ""}\u0000${forTraining}\u0000${value}`;
    let r = this.resolved.get(key);
    if (!r) {
      try {
        r = { path: resolveBase(value, { folder: repotuneModelsFolder(), forTraining, ...(folder ? { cwd: folder.uri.fsPath } : {}) }).path };
        this.log.info(`Base model ${value}: ${r.path}`);
      } catch (err) {
        r = { problem: (err as Error).message };
        this.log.warn(`Base model ${value} cannot be used: ${r.problem}`);
      }
      this.resolved.set(key, r);
    }
    return r;
  }
}
