// The repository-level prompt of Qwen2.5-Coder (QwenLM/Qwen2.5-Coder,
// examples/Qwen2.5-Coder-repolevel-fim.py): the repository's name, other files of the workspace,
// then the file being edited, before the fill-in-the-middle markers:
//
//   <|repo_name|>name\n<|file_sep|>other/path\n<text>\n ... <|file_sep|>this/path\n<|fim_prefix|>...
//
// Training samples, evaluation and the editor all write it here, so the model is asked as it
// was trained; the other files are what the editor has open (a ring of recent chunks, as
// llama.vscode keeps), within their own token budget.
import { basename, resolve } from "node:path";
import { FILE_SEP, REPO_NAME } from "../tokenizer/special-tokens";

export interface RepoFile {
  /** Workspace-relative, forward slashes. */
  path: string;
  text: string;
}

export interface RepoContext {
  /** The repository's (workspace folder's) name. */
  name: string;
  /** The edited file, workspace-relative. */
  path: string;
  /** Other files' text, most relevant first; each is kept whole or cut at its end. */
  files?: RepoFile[];
}

/** The name a repository goes by in prompts: its folder's name, as the editor's workspace shows it. */
export function repoNameOf(root: string): string {
  return basename(resolve(root));
}

/** Tokens other files may take: llama.vscode's default ring is of this order (a few chunks). */
export const DEFAULT_EXTRA_CONTEXT_TOKENS = 256;
/** A name or path longer than this many tokens is cut: it is a label, not content. */
const MAX_LABEL_TOKENS = 32;

export interface RepoTokens {
  repoName: number;
  fileSep: number;
}

/** The header as text, before `<|fim_prefix|>` (the datasets' prompts carry it so). */
export function formatRepoHeader(repo: RepoContext): string {
  const others = (repo.files ?? []).map((f) => `${FILE_SEP}${f.path}\n${f.text}\n`).join("");
  return `${REPO_NAME}${repo.name}\n${others}${FILE_SEP}${repo.path}\n`;
}

/** The header of a prompt written by formatRepoHeader; null when `text` is not one. */
export function parseRepoHeader(text: string): RepoContext | null {
  if (!text.startsWith(REPO_NAME) || !text.endsWith("\n")) return null;
  const parts = text.slice(REPO_NAME.length).split(FILE_SEP);
  const name = parts[0]!;
  if (parts.length < 2 || !name.endsWith("\n")) return null;
  const last = parts[parts.length - 1]!;
  if (last.indexOf("\n") !== last.length - 1) return null;
  const files: RepoFile[] = [];
  for (const part of parts.slice(1, -1)) {
    const nl = part.indexOf("\n");
    if (nl < 0 || !part.endsWith("\n")) return null;
    files.push({ path: part.slice(0, nl), text: part.slice(nl + 1, -1) });
  }
  return { name: name.slice(0, -1), path: last.slice(0, -1), ...(files.length ? { files } : {}) };
}

/** Share of a prompt's tokens the header may take: the code around the cursor matters more. */
const MAX_HEADER_SHARE = 0.25;
/**
 * Models with a shorter context get no header: a small model trained from scratch (contexts of
 * 96 to 512 tokens) has no room to spare for labels and never learnt them elsewhere. Decided on
 * the model's context, never on what a row has left, so training and serving agree.
 */
export const MIN_CONTEXT_FOR_REPO_HEADER = 1024;

export interface HeaderBudget {
  /** The model's context (training: its sequence length; serving: its KV cache). */
  contextTokens: number;
  /** Tokens the whole prompt may have: the header takes at most a quarter. */
  promptTokens: number;
  /** Tokens other files may take (repotune.completions.extraContextTokens). */
  extraTokens?: number;
}

/** A label (name or path) with its newline, cut to MAX_LABEL_TOKENS keeping the newline. */
function labelTokens(encode: (text: string) => number[], text: string): number[] {
  const ids = encode(`${text}\n`);
  return ids.length <= MAX_LABEL_TOKENS ? ids : [...encode(text).slice(0, MAX_LABEL_TOKENS - 1), ...encode("\n")];
}

/**
 * The header as token ids: the name and the path, then the other files in order while the
 * extra budget and a quarter of the prompt last (a file whose label and a few lines do not fit
 * is left out; the last one that fits in part is cut at its end). None for a small model.
 */
export function encodeRepoHeader(encode: (text: string) => number[], ids: RepoTokens, repo: RepoContext, budget: HeaderBudget): number[] {
  if (budget.contextTokens < MIN_CONTEXT_FOR_REPO_HEADER) return [];
  const name = [ids.repoName, ...labelTokens(encode, repo.name)];
  const path = [ids.fileSep, ...labelTokens(encode, repo.path)];
  const limit = Math.floor(budget.promptTokens * MAX_HEADER_SHARE);
  if (name.length + path.length > limit) return [];
  const out = [...name];
  let room = Math.max(0, Math.min(budget.extraTokens ?? DEFAULT_EXTRA_CONTEXT_TOKENS, limit - name.length - path.length));
  for (const file of repo.files ?? []) {
    const head = [ids.fileSep, ...labelTokens(encode, file.path)];
    if (head.length + MIN_FILE_TOKENS > room) break;
    const tokens = [...head, ...encode(`${file.text}\n`)];
    out.push(...tokens.slice(0, room));
    room -= Math.min(room, tokens.length);
  }
  out.push(...path);
  return out;
}

/** Fewer lines of a file than this are not worth its label. */
const MIN_FILE_TOKENS = 8;
