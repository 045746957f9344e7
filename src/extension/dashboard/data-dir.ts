// Which data folder the dashboard shows. Each workspace folder trains into its own
// (data-folder.ts); in a multi-root workspace the dashboard follows the folder of the
// active editor when the page loads, else the first folder.
import * as vscode from "vscode";
import { dataFolderFor } from "../settings/data-folder";

export function dashboardDataDir(context: vscode.ExtensionContext): string | undefined {
  const folders = vscode.workspace.workspaceFolders;
  if (!folders?.length) return undefined;
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = (active && vscode.workspace.getWorkspaceFolder(active)) ?? folders[0];
  return folder ? dataFolderFor(context, folder) : undefined;
}
