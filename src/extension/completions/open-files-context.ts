// The repository-level prompt's context in the editor: the workspace folder's name, the file's
// path, and a ring of chunks of the other files the user recently edited or left
// (core/completion/recent-chunks), one ring per workspace folder. Files that look like secrets
// (by name or content: ExcludedFiles) never enter it, so nothing secret reaches the model.
import * as vscode from "vscode";
import { RecentChunks } from "../../core/completion/recent-chunks";
import type { RepoContext } from "../../core/completion/repo-prompt";
import type { ExcludedFiles } from "./excluded-files";

export class OpenFilesContext implements vscode.Disposable {
  private readonly rings = new Map<string, RecentChunks>();
  private readonly subscriptions: vscode.Disposable[];
  private lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;

  constructor(private readonly excluded: ExcludedFiles) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        const change = e.contentChanges[0];
        if (change) this.note(e.document, change.range.start.line);
      }),
      // The place the user leaves is the place they are likely to come back to.
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        const left = this.lastEditor;
        if (left && !left.document.isClosed) this.note(left.document, left.selection.active.line);
        this.lastEditor = editor;
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        const at = this.place(document);
        at?.ring.forget(at.path);
      }),
    ];
  }

  /** The context for a completion in `document`, at `relativePath` of `folder`. */
  contextFor(folder: vscode.WorkspaceFolder, relativePath: string): RepoContext {
    const files = this.rings.get(folder.uri.toString())?.files(relativePath) ?? [];
    return { name: folder.name, path: relativePath, ...(files.length ? { files } : {}) };
  }

  private place(document: vscode.TextDocument): { ring: RecentChunks; path: string } | undefined {
    if (document.uri.scheme !== "file" && document.uri.scheme !== "vscode-remote") return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder) return undefined;
    const key = folder.uri.toString();
    let ring = this.rings.get(key);
    if (!ring) this.rings.set(key, (ring = new RecentChunks()));
    return { ring, path: vscode.workspace.asRelativePath(document.uri, false) };
  }

  private note(document: vscode.TextDocument, line: number): void {
    const at = this.place(document);
    if (!at) return;
    if (this.excluded.reason(document, at.path)) {
      at.ring.forget(at.path);
      return;
    }
    const text = (from: number, to: number) => document.getText(new vscode.Range(from, 0, to, 0));
    at.ring.note(at.path, line, text, document.lineCount);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
