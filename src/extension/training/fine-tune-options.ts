// The fine-tune command may be run with arguments (by the dashboard, by tests through
// executeCommand): they are checked here, since a command's arguments are untyped.
import * as vscode from "vscode";
import { PRESETS, type PresetName } from "../../core/protocol";

export interface FineTuneOptions {
  folder?: vscode.WorkspaceFolder;
  preset?: PresetName;
  resume?: boolean;
}

export function fineTuneOptions(raw: unknown): FineTuneOptions {
  if (!raw || typeof raw !== "object") return {};
  const r = raw as Record<string, unknown>;
  const options: FineTuneOptions = {};
  if (typeof r.preset === "string" && (PRESETS as readonly string[]).includes(r.preset)) options.preset = r.preset as PresetName;
  if (typeof r.resume === "boolean") options.resume = r.resume;
  if (typeof r.folder === "string") options.folder = vscode.workspace.workspaceFolders?.find((f) => f.name === r.folder || f.uri.fsPath === r.folder);
  return options;
}
