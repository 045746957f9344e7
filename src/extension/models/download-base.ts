// Downloading a catalogue base when the user asks: a cancellable notification with the share,
// speed and time left. A cancelled or cut download keeps its .part and resumes next time.
import * as vscode from "vscode";
import { downloadModel, DownloadError, formatBytes, hubEndpoint, hubToken, repotuneModelsFolder, type CatalogModel } from "../../hub";
import { readSettings } from "../settings/config";

/** The downloaded file's path, or undefined when cancelled or failed (the user was told). */
export async function downloadBase(model: CatalogModel, log: vscode.LogOutputChannel): Promise<string | undefined> {
  let endpoint: string;
  try {
    endpoint = hubEndpoint(readSettings().hubEndpoint);
  } catch (err) {
    void vscode.window.showErrorMessage(`RepoTune: ${(err as Error).message}`);
    return undefined;
  }
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `RepoTune: downloading ${model.title}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      try {
        const r = await downloadModel(model, {
          folder: repotuneModelsFolder(),
          endpoint,
          token: hubToken(),
          signal: abort.signal,
          onProgress: (p) => {
            const share = p.totalBytes ? (p.receivedBytes / p.totalBytes) * 100 : 0;
            const left = p.secondsLeft === null ? "" : `, ${Math.ceil(p.secondsLeft / 60)} min left`;
            progress.report({ increment: share - reported, message: `${formatBytes(p.receivedBytes)} of ${formatBytes(p.totalBytes)} at ${(p.bytesPerSecond / 2 ** 20).toFixed(1)} MB/s${left}` });
            reported = share;
          },
        });
        log.info(`Downloaded ${model.name} to ${r.path} (${formatBytes(r.bytes)}, sha256 ${r.sha256}${r.resumedFrom ? `, resumed at ${formatBytes(r.resumedFrom)}` : ""}).`);
        return r.path;
      } catch (err) {
        if (err instanceof DownloadError && err.kind === "cancelled") {
          void vscode.window.showInformationMessage(`Download of ${model.name} cancelled; what arrived is kept and the next try resumes from it.`);
        } else {
          log.error(`Download of ${model.name} failed: ${(err as Error).message}`);
          void vscode.window.showErrorMessage(`RepoTune could not download ${model.name}: ${(err as Error).message}`);
        }
        return undefined;
      } finally {
        sub.dispose();
      }
    },
  );
}
