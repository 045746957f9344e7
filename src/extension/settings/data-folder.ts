// Where a workspace folder's datasets, checkpoints, runs and feedback live: the
// `repotune.dataFolder` setting, or the extension's storage for this workspace (never
// inside the repository, so nothing RepoTune writes can be committed by accident).
import { createHash } from "node:crypto";
import { join } from "node:path";
import * as vscode from "vscode";
import { ensurePrivateRoot } from "../../core/fs/private-files";
import { readSettings } from "./config";

export function dataFolderFor(context: vscode.ExtensionContext, folder: vscode.WorkspaceFolder): string {
  const configured = readSettings(folder.uri).dataFolder.trim();
  const base = configured || (context.storageUri ?? context.globalStorageUri).fsPath;
  // One subfolder per workspace folder: a multi-root workspace trains each separately.
  const id = createHash("sha256").update(folder.uri.toString()).digest("hex").slice(0, 8);
  const dir = join(base, `${folder.name.replace(/[^\w.-]+/g, "_")}-${id}`);
  ensurePrivateRoot(dir); // 0700, also when an older version made it 0755 (core/fs/private-files.ts)
  return dir;
}
