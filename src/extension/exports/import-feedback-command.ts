// "RepoTune: Import feedback from Continue": the suggestions Continue (or Tabby) showed in this
// repository, and whether they were taken, into the folder's feedback and preference pairs, as
// `repotune import-feedback` does. Beside the exports: the same data folder, the other way in.
import * as vscode from "vscode";
import { continueLogPaths, defaultFeedbackSource, importFeedback, type FeedbackImportResult, type FeedbackSourceKind } from "../../core/feedback/import/import-feedback";
import { chooseDataFolder } from "./folder-choice";

const TOOL_NAMES: Record<FeedbackSourceKind, string> = { continue: "Continue", tabby: "Tabby" };

/** Continue's log where it keeps it; else the user's choice: Tabby's events folder when there is one, or a file to browse for. */
async function chooseLog(): Promise<{ file: string; from?: FeedbackSourceKind } | undefined> {
  const found = defaultFeedbackSource({ from: "continue" });
  if (found) return found;
  const tabby = defaultFeedbackSource({ from: "tabby" });
  const picked = await vscode.window.showQuickPick(
    [
      ...(tabby ? [{ label: "Tabby's event logs", description: tabby.file, value: "tabby" as const }] : []),
      { label: "Browse for a log file…", description: "Continue's autocomplete.jsonl or a Tabby events file", value: "browse" as const },
    ],
    { title: `RepoTune: no Continue autocomplete log at ${continueLogPaths()[0]}`, placeHolder: "Import feedback from which log?" },
  );
  if (!picked) return undefined;
  if (picked.value === "tabby" && tabby) return tabby;
  const files = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    openLabel: "Import",
    title: "Continue's autocomplete.jsonl (~/.continue/dev_data) or a Tabby events file (~/.tabby/events)",
    filters: { "Completion logs": ["jsonl", "json"] },
  });
  return files?.[0] ? { file: files[0].fsPath } : undefined;
}

function describe(r: FeedbackImportResult): string {
  const skipped = Object.entries(r.skipped).map(([why, n]) => `${n} ${why}`).join(", ");
  return `RepoTune: imported ${r.events.length} feedback events and ${r.pairs.length} preference pairs from ${TOOL_NAMES[r.from]} (${r.file}); skipped: ${skipped || "none"}${r.corruptLines ? `; ${r.corruptLines} corrupt lines` : ""}.`;
}

export async function importFeedbackCommand(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<FeedbackImportResult | undefined> {
  const where = await chooseDataFolder(context, "Import feedback for which folder?");
  if (!where) return undefined;
  const source = await chooseLog();
  if (!source) return undefined;
  try {
    const r = importFeedback({ file: source.file, repo: where.folder.uri.fsPath, out: where.out, ...(source.from ? { from: source.from } : {}) });
    const message = describe(r);
    log.info(message);
    void vscode.window.showInformationMessage(message);
    return r;
  } catch (err) {
    const message = `RepoTune: could not import ${source.file}: ${(err as Error).message}`;
    log.error(message);
    void vscode.window.showErrorMessage(message);
    return undefined;
  }
}
