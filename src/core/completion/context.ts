// What the model sees of a document at the cursor, and what it is asked for: the prefix and
// suffix cut to the completion budget, and whether the rest of a line or a whole block fits
// the place. The inline provider, `repotune complete`, evaluation and `bench serve` all build
// their requests here, so a figure in a report is a figure of what the editor would show.
import type { CompletionMode } from "./place";
import { DEFAULT_EXTRA_CONTEXT_TOKENS, type RepoContext, type RepoFile } from "./repo-prompt";

/** Tokens of the file around the cursor the model may see (the completion server cuts to them). */
export interface CompletionBudget {
  prefixTokens: number;
  suffixTokens: number;
  /** Tokens other open files may add (repo-prompt.ts); default DEFAULT_EXTRA_CONTEXT_TOKENS. */
  extraTokens?: number;
}

/** `auto`: block mode where a block is likely to start, line mode everywhere else (chooseMode). */
export type ModeSetting = CompletionMode | "auto";

export interface CompletionSettings {
  budget: CompletionBudget;
  mode: ModeSetting;
  /** Most tokens one completion may have. */
  maxTokens: number;
}

/**
 * The editor's defaults (settings repotune.completions.*): about the 1,500 characters before
 * and 300 after the cursor the editor sent before budgets were counted in tokens (code
 * averages 3-4 characters a token), and 64 new tokens.
 */
export const DEFAULT_COMPLETION_SETTINGS: Readonly<CompletionSettings> = Object.freeze({
  budget: Object.freeze({ prefixTokens: 400, suffixTokens: 100 }),
  mode: "auto",
  maxTokens: 64,
});

/**
 * No token is longer than this many characters in practice (code averages 3-4): text is cut
 * to budget x this before it is sent, so the server always has enough to fill the token budget
 * and the request stays small.
 */
export const MAX_CHARS_PER_TOKEN = 8;

export interface CompletionContext {
  prefix: string;
  suffix: string;
  mode: CompletionMode;
  /** The repository, the file's path and other open files: the repository-level prompt. */
  repo?: RepoContext;
}

/** Cuts at a line boundary inside the budget, so the model never sees half a first line. */
function tail(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const cut = text.slice(text.length - budget);
  if (text[text.length - budget - 1] === "\n") return cut; // the cut is already at a line start
  const newline = cut.indexOf("\n");
  return newline === -1 ? cut : cut.slice(newline + 1);
}

function head(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const cut = text.slice(0, budget);
  if (text[budget] === "\n") return cut; // the cut is already at a line end
  const newline = cut.lastIndexOf("\n");
  return newline === -1 ? cut : cut.slice(0, newline + 1);
}

/**
 * Block mode where a block is likely to start: on a blank line, or at the end of a line that
 * opens one (`{`, `:`, `(`, `[`, `=>`); line mode everywhere else (in the middle of a line).
 */
export function chooseMode(prefix: string, suffix: string): CompletionMode {
  const linePrefix = prefix.slice(prefix.lastIndexOf("\n") + 1);
  const nl = suffix.indexOf("\n");
  const lineSuffix = nl < 0 ? suffix : suffix.slice(0, nl);
  if (lineSuffix.trim() !== "") return "line";
  if (linePrefix.trim() === "") return "block";
  return /([{([:]|=>)\s*$/.test(linePrefix) ? "block" : "line";
}

/** The context of a cursor between `before` and `after` (all of the text on each side, or more than the budget). */
export function completionContext(before: string, after: string, settings: Pick<CompletionSettings, "budget" | "mode"> = DEFAULT_COMPLETION_SETTINGS, repo?: RepoContext): CompletionContext {
  const prefix = tail(before, settings.budget.prefixTokens * MAX_CHARS_PER_TOKEN);
  const suffix = head(after, settings.budget.suffixTokens * MAX_CHARS_PER_TOKEN);
  const extraChars = (settings.budget.extraTokens ?? DEFAULT_EXTRA_CONTEXT_TOKENS) * MAX_CHARS_PER_TOKEN;
  return {
    prefix,
    suffix,
    mode: settings.mode === "auto" ? chooseMode(before, after) : settings.mode,
    ...(repo ? { repo: { ...repo, ...(repo.files ? { files: cutFiles(repo.files, extraChars) } : {}) } } : {}),
  };
}

/** Other files' text within `chars` in all, so a request carries no more than the server can use. */
function cutFiles(files: readonly RepoFile[], chars: number): RepoFile[] {
  const out: RepoFile[] = [];
  for (const f of files) {
    if (chars <= 0) break;
    out.push({ path: f.path, text: f.text.slice(0, chars) });
    chars -= f.text.length;
  }
  return out;
}

/** Completing in the middle of a word or before code (not just closing brackets) rarely helps. */
export function worthCompleting(lineAfterCursor: string): boolean {
  return /^[\s)\]}>;,'"`]*$/.test(lineAfterCursor);
}

/**
 * The offset of a cursor given as 1-based line and column (as editors and `file:line:col`
 * show them). Columns count UTF-16 code units, as VS Code positions do; column = line length
 * + 1 is the line's end.
 */
export function offsetAt(text: string, line: number, column: number): number {
  if (!Number.isInteger(line) || line < 1) throw new Error(`line must be a positive integer, got ${line}`);
  if (!Number.isInteger(column) || column < 1) throw new Error(`column must be a positive integer, got ${column}`);
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) throw new Error(`line ${line} is past the end of the file (it has ${l} lines)`);
    start = nl + 1;
  }
  const end = text.indexOf("\n", start);
  const lineText = text.slice(start, end < 0 ? text.length : end).replace(/\r$/, "");
  if (column > lineText.length + 1) throw new Error(`column ${column} is past the end of line ${line} (${lineText.length} characters)`);
  return start + column - 1;
}

/**
 * A probe (held-out or training: a cursor and the text that follows it) as the editor would
 * ask there: in the probe's mode (line when its truth is one line, block for a block's body),
 * with the editor's budget, and with the repository-level header when the probe names its
 * repository (the name and the path; the editor's other open files are not known for a probe).
 */
export function probeContext(probe: { prefix: string; suffix: string; mode?: CompletionMode; path?: string; repo?: string }, budget: CompletionBudget = DEFAULT_COMPLETION_SETTINGS.budget): CompletionContext {
  const repo = probe.repo !== undefined && probe.path !== undefined ? { name: probe.repo, path: probe.path } : undefined;
  return completionContext(probe.prefix, probe.suffix, { budget, mode: probe.mode ?? "line" }, repo);
}
