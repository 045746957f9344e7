// What the dashboard's buttons do: each validated action runs one command, with the run
// the page shows as its argument. A command that this build does not register (yet) is
// reported plainly in the page and the log instead of failing silently.
import { existsSync } from "node:fs";
import * as vscode from "vscode";
import type { DashboardAction, DashboardRequest } from "../../core/protocol";
import { COMMANDS } from "../settings/command-ids";

type ActionRequest = Extract<DashboardRequest, { type: "action" }>;

export interface ActionContext {
  /** The folder of the run the page shows, if any. */
  runDir: string | undefined;
  dataDir: string | undefined;
}

interface ActionCommand {
  label: string;
  command: string;
  args: (req: ActionRequest, ctx: ActionContext) => unknown[];
}

/**
 * Arguments are one options object, so a command called from the palette (no arguments)
 * still works and asks for what it needs. The commands' owners read these fields:
 * fineTune {preset?, resume?, runId?}, exportModel {format?, runId?}, exportDataset {runId?},
 * useRunModel {runId}.
 */
export const ACTION_COMMANDS: Record<DashboardAction, ActionCommand> = {
  fineTune: { label: "Fine-tune on this repo", command: COMMANDS.fineTune, args: (r) => [{ preset: r.preset }] },
  cancelTraining: { label: "Cancel", command: COMMANDS.cancelTraining, args: () => [] },
  resume: { label: "Resume", command: COMMANDS.fineTune, args: (r) => [{ resume: true, runId: r.runId, preset: r.preset }] },
  exportModel: { label: "Export model", command: COMMANDS.exportModel, args: (r) => [{ format: r.format ?? "gguf", runId: r.runId }] },
  exportDataset: { label: "Export dataset", command: COMMANDS.exportDataset, args: (r) => [{ runId: r.runId }] },
  useModel: { label: "Use this run's model", command: "repotune.useRunModel", args: (r) => [{ runId: r.runId }] },
  openDataFolder: {
    label: "Open data folder",
    command: "revealFileInOS",
    args: (_r, ctx) => {
      const path = [ctx.runDir, ctx.dataDir].find((p) => p && existsSync(p));
      return path ? [vscode.Uri.file(path)] : [];
    },
  },
  showLog: { label: "Show log", command: COMMANDS.showLog, args: () => [] },
};

export type ActionOutcome = { ok: true } | { ok: false; level: "info" | "warn" | "error"; text: string };

export async function runDashboardAction(req: ActionRequest, ctx: ActionContext): Promise<ActionOutcome> {
  const action = ACTION_COMMANDS[req.action];
  const args = action.args(req, ctx);
  if (req.action === "openDataFolder" && args.length === 0) {
    return { ok: false, level: "info", text: "There is no data folder yet: it is made by the first Fine-tune." };
  }
  const known = await vscode.commands.getCommands(true);
  if (!known.includes(action.command)) {
    return {
      ok: false,
      level: "info",
      text: `"${action.label}" is not available in this version of RepoTune (no command ${action.command}).`,
    };
  }
  try {
    await vscode.commands.executeCommand(action.command, ...args);
    return { ok: true };
  } catch (err) {
    return { ok: false, level: "error", text: `"${action.label}" failed: ${(err as Error).message}` };
  }
}
