import * as vscode from "vscode";

/**
 * What a command does while its capability is not built yet: it says so plainly instead
 * of failing silently. The issue that builds the capability replaces the registration.
 */
export function notBuiltYet(log: vscode.LogOutputChannel, what: string): () => void {
  return () => {
    const text = `RepoTune: ${what} is not built yet in this version.`;
    log.info(text);
    void vscode.window.showInformationMessage(text);
  };
}
