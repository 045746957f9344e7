// The repository-level prompt's context in the editor: the workspace folder's name, the file's
// path, and chunks of the other files the user recently edited or left
// (core/completion/recent-chunks), one ring per workspace folder. Typing only moves a place in
// the ring; the chunks are read when a completion is asked for. Files that look like secrets
// (by name or content: ExcludedFiles) are never included, so nothing secret reaches the model.
import * as vscode from "vscode";
import { chunkAround, RecentPlaces } from "../../core/completion/recent-chunks";
import type { RepoContext, RepoFile } from "../../core/completion/repo-prompt";
import type { ExcludedFiles } from "./excluded-files";

const documentKey = (folderKey: string, path: string): string => `${folderKey}\u0000${path}`;

export class OpenFilesContext implements vscode.Disposable {
  private readonly rings = new Map<string, RecentPlaces>();
  /** The document of each remembered path, by folder and path. */
  private readonly documents = new Map<string, vscode.TextDocument>();
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
        if (!at) return;
        at.ring.forget(at.path);
        this.documents.delete(at.key);
      }),
    ];
  }

  /** The context for a completion at `relativePath` of `folder`. */
  contextFor(folder: vscode.WorkspaceFolder, relativePath: string): RepoContext {
    const files: RepoFile[] = [];
    for (const p of this.rings.get(folder.uri.toString())?.others(relativePath) ?? []) {
      const document = this.documents.get(documentKey(folder.uri.toString(), p.path));
      if (!document || document.isClosed || this.excluded.reason(document, p.path)) continue;
      const { from, to } = chunkAround(p.line, document.lineCount);
      const text = document.getText(new vscode.Range(from, 0, to, 0));
      if (text.trim()) files.push({ path: p.path, text });
    }
    return { name: folder.name, path: relativePath, ...(files.length ? { files } : {}) };
  }

  private place(document: vscode.TextDocument): { ring: RecentPlaces; path: string; folderKey: string; key: string } | undefined {
    if (document.uri.scheme !== "file" && document.uri.scheme !== "vscode-remote") return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder) return undefined;
    const folderKey = folder.uri.toString();
    let ring = this.rings.get(folderKey);
    if (!ring) this.rings.set(folderKey, (ring = new RecentPlaces()));
    const path = vscode.workspace.asRelativePath(document.uri, false);
    return { ring, path, folderKey, key: documentKey(folderKey, path) };
  }

  private note(document: vscode.TextDocument, line: number): void {
    const at = this.place(document);
    if (!at) return;
    at.ring.note(at.path, line);
    this.documents.set(at.key, document);
    // Files the ring let go of keep no document alive here.
    const kept = new Set(at.ring.others("").map((p) => documentKey(at.folderKey, p.path)));
    for (const key of this.documents.keys()) if (key.startsWith(documentKey(at.folderKey, "")) && !kept.has(key)) this.documents.delete(key);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
