// repotune.baseModel -> the file or folder the run starts from and completions come from. The
// setting holds a path or a name (`repotune models`); resolving never downloads. A base that
// cannot be found is logged once per value with the reason, and the folder trains from scratch.
import * as vscode from "vscode";
import { repotuneModelsFolder, resolveBase } from "../../hub";
import { readSettings } from "../settings/config";

export class BaseSetting {
  private readonly resolved = new Map<string, { path?: string; problem?: string }>();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The base for `folder`, or undefined (none set, or it cannot be used: see problemFor). */
  pathFor(folder: vscode.WorkspaceFolder | undefined): string | undefined {
    return this.lookup(folder).path;
  }

  /** Why the set base cannot be used, or undefined. */
  problemFor(folder: vscode.WorkspaceFolder | undefined): string | undefined {
    return this.lookup(folder).problem;
  }

  /** The setting or the models on disk changed: resolve again. */
  forget(): void {
    this.resolved.clear();
  }

  private lookup(folder: vscode.WorkspaceFolder | undefined): { path?: string; problem?: string } {
    const value = readSettings(folder?.uri).baseModel;
    if (!value) return {};
    let r = this.resolved.get(value);
    if (!r) {
      try {
        r = { path: resolveBase(value, { folder: repotuneModelsFolder() }).path };
        this.log.info(`Base model ${value}: ${r.path}`);
      } catch (err) {
        r = { problem: (err as Error).message };
        this.log.warn(`Base model ${value} cannot be used: ${r.problem}`);
      }
      this.resolved.set(value, r);
    }
    return r;
  }
}
