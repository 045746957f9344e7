// Restricted Mode: RepoTune reads every file of the repository and runs training and
// inference processes, so in an untrusted workspace it gathers, trains and logs nothing.
import * as vscode from "vscode";

export const RESTRICTED_MESSAGE =
  "RepoTune is off in Restricted Mode: it reads this workspace's files to build training data and runs " +
  "training processes on them. Trust the workspace (Manage Workspace Trust) to use it.";

/** True when the workspace is trusted; otherwise tells the user why nothing happens. */
export function requireTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(`${action}: ${RESTRICTED_MESSAGE}`, "Manage Workspace Trust")
    .then((choice) => {
      if (choice) void vscode.commands.executeCommand("workbench.trust.manage");
    });
  return false;
}
