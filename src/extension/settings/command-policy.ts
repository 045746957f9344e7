// Restricted Mode, in one table. RepoTune reads every file of the workspace (and runs git on
// it) to build training data, runs training and inference processes on what it read, and logs
// what the user typed: in a workspace the user has not trusted, nothing that gathers, trains,
// exports, imports or logs feedback may run. Every command is listed here with whether it
// needs trust, and registered through guardCommand, so each refusal reads the same and says
// how to trust the workspace. No vscode here: the table and the guard are unit-tested
// (test/unit/extension/command-policy.test.ts holds them against package.json).
import { COMMANDS, INTERNAL_COMMANDS } from "./command-ids";

export const RESTRICTED_MESSAGE =
  "RepoTune is off in Restricted Mode: it reads this workspace's files to build training data and runs training " +
  'processes on them. To use it, trust the workspace: click "Restricted Mode" in the status bar, or run ' +
  '"Workspaces: Manage Workspace Trust" from the Command Palette.';

/** The button the refusal offers, and the built-in command behind it. */
export const MANAGE_TRUST = { label: "Manage Workspace Trust", command: "workbench.trust.manage" } as const;

export type AnyCommandId = (typeof COMMANDS)[keyof typeof COMMANDS] | (typeof INTERNAL_COMMANDS)[keyof typeof INTERNAL_COMMANDS];

/** The action's name in the refusal, or null for a command Restricted Mode allows. */
export const TRUST_REQUIRED: Record<AnyCommandId, string | null> = {
  [COMMANDS.fineTune]: "Fine-tune on this repo", // gathers the workspace, trains, writes datasets and models
  [COMMANDS.exportDataset]: "Export dataset", // copies data gathered from the workspace
  [COMMANDS.exportModel]: "Export model", // copies a model trained on the workspace
  [COMMANDS.importFeedback]: "Import feedback", // Restricted Mode logs no feedback, so it imports none either
  [COMMANDS.chooseBaseModel]: "Choose base model", // sets repotune.baseModel (a restricted setting) and may download
  [INTERNAL_COMMANDS.useRunModel]: "Use this run's model", // activates a model: completions start serving it
  [COMMANDS.openDashboard]: null, // shows runs; in Restricted Mode it says why there are none
  [COMMANDS.cancelTraining]: null, // nothing can run untrusted; cancelling never reads or writes data
  [COMMANDS.toggleCompletions]: null, // a user setting; completions stay off in Restricted Mode anyway
  [COMMANDS.showLog]: null,
};

export function restrictedMessage(action: string): string {
  return `${action}: ${RESTRICTED_MESSAGE}`;
}

/** What the guard needs from VS Code: whether the workspace is trusted, and a way to say no. */
export interface TrustGate {
  isTrusted(): boolean;
  refuse(message: string): void;
}

/** `run` behind the command's entry of TRUST_REQUIRED: refused (undefined) when untrusted. */
export function guardCommand<A extends unknown[], R>(id: AnyCommandId, run: (...args: A) => R, gate: TrustGate): (...args: A) => R | undefined {
  const action = TRUST_REQUIRED[id];
  if (action === null) return run;
  return (...args: A) => {
    if (gate.isTrusted()) return run(...args);
    gate.refuse(restrictedMessage(action));
    return undefined;
  };
}
