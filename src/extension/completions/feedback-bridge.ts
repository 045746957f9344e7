// Connects VS Code's editor events to the feedback tracker: document changes, the accept
// command of shown items, a timer that settles rejections, and a final flush on shutdown.
import * as vscode from "vscode";
import { findSecret } from "../../core/gather/secrets/find-secret";
import { feedbackFileSink } from "../../core/feedback/feedback-log";
import { DEFAULT_FEEDBACK_OPTIONS, FeedbackTracker, type FeedbackSink } from "../../core/feedback/feedback-tracker";
import type { FeedbackEvent, PreferencePair } from "../../core/feedback/feedback-types";
import { dataFolderFor } from "../settings/data-folder";
import { ACCEPT_COMMAND } from "./inline-provider";

export function createFeedbackTracker(context: vscode.ExtensionContext, onEvent: (e: FeedbackEvent) => void): { tracker: FeedbackTracker; disposable: vscode.Disposable } {
  // Each event is written to the data folder of the workspace folder it happened in;
  // Restricted Mode logs nothing.
  const sinkFor = (document: string): FeedbackSink | undefined => {
    if (!vscode.workspace.isTrusted) return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(document));
    return folder ? feedbackFileSink(dataFolderFor(context, folder)) : undefined;
  };
  const sink: FeedbackSink = {
    event: (e, document) => {
      sinkFor(document)?.event(e, document);
      onEvent(e);
    },
    pair: (p: PreferencePair, document) => sinkFor(document)?.pair(p, document),
  };
  const tracker = new FeedbackTracker(sink, { ...DEFAULT_FEEDBACK_OPTIONS, isSecret: (t) => findSecret(t) !== null });
  const textOf = (document: string) => vscode.workspace.textDocuments.find((d) => d.uri.toString() === document)?.getText();
  const timer = setInterval(() => tracker.tick(textOf), 1000);
  const disposable = vscode.Disposable.from(
    vscode.commands.registerCommand(ACCEPT_COMMAND, (id: unknown) => {
      if (typeof id === "string") tracker.accepted(id);
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (!e.contentChanges.length) return;
      // VS Code reports a multi-change event against the text before the event, in reverse
      // document order; applying them from the last one keeps earlier offsets valid.
      const changes = [...e.contentChanges]
        .sort((a, b) => b.rangeOffset - a.rangeOffset)
        .map((c) => ({ offset: c.rangeOffset, removedLength: c.rangeLength, insertedText: c.text }));
      tracker.documentChanged(e.document.uri.toString(), changes);
    }),
    { dispose: () => clearInterval(timer) },
    { dispose: () => tracker.flush(textOf) },
  );
  return { tracker, disposable };
}
