// The InlineCompletionItemProvider: a pipeline of named steps like Continue's autocomplete
// (gate, debounce, context, ask the server, shape the item, remember it for feedback).
import { randomUUID } from "node:crypto";
import * as vscode from "vscode";
import { findSecret } from "../../core/gather/secrets/find-secret";
import type { FeedbackTracker } from "../../core/feedback/feedback-tracker";
import { readSettings } from "../settings/config";
import { completionContext, worthCompleting } from "../../core/completion/context";
import type { CompletionServerHost } from "./completion-server-host";
import type { ExcludedFiles } from "./excluded-files";
import type { OpenFilesContext } from "./open-files-context";

export const ACCEPT_COMMAND = "repotune.completionAccepted";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RepoTuneInlineProvider implements vscode.InlineCompletionItemProvider {
  constructor(
    private readonly host: CompletionServerHost,
    private readonly excluded: ExcludedFiles,
    private readonly openFiles: OpenFilesContext,
    private readonly tracker: FeedbackTracker,
    private readonly log: vscode.LogOutputChannel,
    private readonly onLatency: (ms: number) => void,
    /** Each reply of a filtered server: whether its filter held the suggestion back. */
    private readonly onFiltered: (heldBack: boolean) => void = () => undefined,
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    // 1. gate: enabled, trusted, a real file, not excluded, a model to ask.
    const settings = readSettings(document.uri);
    if (!settings.completionsEnabled || !vscode.workspace.isTrusted) return undefined;
    if (document.uri.scheme !== "file" && document.uri.scheme !== "untitled" && document.uri.scheme !== "vscode-remote") return undefined;
    if (context.selectedCompletionInfo) return undefined; // the suggest widget is open: let it lead
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder) return undefined;
    const relativePath = vscode.workspace.asRelativePath(document.uri, false);
    if (this.excluded.reason(document, relativePath)) return undefined;
    const lineText = document.lineAt(position.line).text;
    if (!worthCompleting(lineText.slice(position.character))) return undefined;
    const server = this.host.serverFor(folder);
    if (!server) return undefined;

    // 2. debounce: wait for a pause in typing; VS Code cancels this request when typing goes on.
    if (context.triggerKind === vscode.InlineCompletionTriggerKind.Automatic) await sleep(settings.debounceMs);
    if (token.isCancellationRequested) return undefined;

    // 3. context within the budget, by the one completion context (core/completion/context):
    //    the file around the cursor, and the repository-level header with other files' chunks.
    const documentText = document.getText();
    const offset = document.offsetAt(position);
    const repo = this.openFiles.contextFor(folder, relativePath);
    const ctx = { ...completionContext(documentText.slice(0, offset), documentText.slice(offset), settings.completion, repo), offset };

    // 4. ask the completion server, cancelling it with the editor's token.
    const abort = new AbortController();
    const subscription = token.onCancellationRequested(() => abort.abort());
    const started = Date.now();
    let result;
    try {
      result = await server.client.complete(
        { prefix: ctx.prefix, suffix: ctx.suffix, languageId: document.languageId, maxTokens: settings.completion.maxTokens, mode: ctx.mode, budget: settings.completion.budget, ...(ctx.repo ? { repo: ctx.repo } : {}) },
        abort.signal,
      );
    } finally {
      subscription.dispose();
    }
    if (result.kind === "error") {
      this.log.warn(`completion failed: ${result.message} ${result.hint}`);
      return undefined;
    }
    if (result.kind !== "completion" || token.isCancellationRequested) return undefined;
    // Count what the filter judged: a reply with text or held back, not an empty generation.
    if (server.filter && server.filter.mode !== "off" && (result.heldBack || result.text.trim())) this.onFiltered(result.heldBack === true);
    const text = result.text;
    // 5. never show an empty suggestion, or one that holds a credential.
    if (!text.trim() || findSecret(text)) return undefined;
    this.onLatency(Date.now() - started);

    // 6. the item, with the id its acceptance reports back.
    const id = randomUUID();
    this.tracker.shown({
      id,
      document: document.uri.toString(),
      path: relativePath,
      languageId: document.languageId,
      offset: ctx.offset,
      prefix: ctx.prefix,
      suffix: ctx.suffix,
      text,
      mode: ctx.mode,
      model: server.modelName,
      latencyMs: result.latencyMs,
      shownAt: Date.now(),
      repo: folder.name,
    });
    const item = new vscode.InlineCompletionItem(text, new vscode.Range(position, position), {
      title: "RepoTune: completion accepted",
      command: ACCEPT_COMMAND,
      arguments: [id],
    });
    return [item];
  }
}
