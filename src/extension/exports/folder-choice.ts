// Which workspace folder (and so which data folder) a command acts on.
import * as vscode from "vscode";
import { dataFolderFor } from "../settings/data-folder";

export async function chooseDataFolder(context: vscode.ExtensionContext, title: string): Promise<{ folder: vscode.WorkspaceFolder; out: string } | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (!folders.length) {
    void vscode.window.showInformationMessage("RepoTune: open a folder first.");
    return undefined;
  }
  const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: title });
  return folder ? { folder, out: dataFolderFor(context, folder) } : undefined;
}
