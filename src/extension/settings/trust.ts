// Restricted Mode in VS Code terms: the gate that command-policy.ts's guard asks. The table of
// which commands need trust, and the message, live there (no vscode, unit-tested).
import * as vscode from "vscode";
import { guardCommand, MANAGE_TRUST, restrictedMessage, type AnyCommandId, type TrustGate } from "./command-policy";

export { RESTRICTED_MESSAGE } from "./command-policy";

/** The workspace's trust, and a warning with a button that opens Manage Workspace Trust. */
export const vscodeTrustGate: TrustGate = {
  isTrusted: () => vscode.workspace.isTrusted,
  refuse: (message) =>
    void vscode.window.showWarningMessage(message, MANAGE_TRUST.label).then((choice) => {
      if (choice) void vscode.commands.executeCommand(MANAGE_TRUST.command);
    }),
};

/** Registers a command behind its Restricted Mode rule (command-policy.ts's TRUST_REQUIRED). */
export function registerGuardedCommand(id: AnyCommandId, run: (...args: unknown[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, guardCommand(id, run, vscodeTrustGate));
}

/** For callers outside a command (a direct call from a test or another module): the same check and words. */
export function requireTrust(action: string): boolean {
  if (vscodeTrustGate.isTrusted()) return true;
  vscodeTrustGate.refuse(restrictedMessage(action));
  return false;
}
