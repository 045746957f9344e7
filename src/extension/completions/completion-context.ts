// What the model sees of the document: a prefix and a suffix cut to a budget (the model's
// context is short, and a smaller prompt is a faster completion), and whether the cursor
// asks for the rest of a line or a whole block.
import type * as vscode from "vscode";
import type { CompletionMode } from "../../core/feedback/feedback-types";

export const PREFIX_BUDGET_CHARS = 1500;
export const SUFFIX_BUDGET_CHARS = 300;

export interface CompletionContext {
  prefix: string;
  suffix: string;
  offset: number;
  mode: CompletionMode;
}

/** Cuts at a line boundary inside the budget, so the model never sees half a first line. */
function tail(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const cut = text.slice(text.length - budget);
  const newline = cut.indexOf("\n");
  return newline === -1 ? cut : cut.slice(newline + 1);
}

function head(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const cut = text.slice(0, budget);
  const newline = cut.lastIndexOf("\n");
  return newline === -1 ? cut : cut.slice(0, newline + 1);
}

export function completionContext(document: vscode.TextDocument, position: vscode.Position): CompletionContext {
  const text = document.getText();
  const offset = document.offsetAt(position);
  const line = document.lineAt(position.line).text;
  const before = line.slice(0, position.character);
  const after = line.slice(position.character);
  // Like Continue: on an empty (or whitespace-only) line a whole block is welcome; after
  // code on the line only its rest is, and nothing when code follows the cursor but brackets.
  const mode: CompletionMode = before.trim() === "" && after.trim() === "" ? "block" : "line";
  return {
    prefix: tail(text.slice(0, offset), PREFIX_BUDGET_CHARS),
    suffix: head(text.slice(offset), SUFFIX_BUDGET_CHARS),
    offset,
    mode,
  };
}

/** Completing in the middle of a word or before code (not just closing brackets) rarely helps. */
export function worthCompleting(document: vscode.TextDocument, position: vscode.Position): boolean {
  const after = document.lineAt(position.line).text.slice(position.character);
  return /^[\s)\]}>;,'"`]*$/.test(after);
}
