// The fill-in-the-middle prompt, in PSM order (prefix, suffix, middle) with the Qwen2.5-Coder
// special tokens, as text (the FIM samples of sft.jsonl are written with it) and as token ids
// (what the completion server, evaluation and training feed the model): one layout, so the
// model is asked exactly as it was trained. With a repository context the prompt starts with
// the repository-level header (repo-prompt.ts): the repository's name and the file's path.
import { FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX } from "../tokenizer/special-tokens";
import { formatRepoHeader, parseRepoHeader, type RepoContext } from "./repo-prompt";

export function formatFimPrompt(prefix: string, suffix: string, repo?: RepoContext): string {
  return `${repo ? formatRepoHeader(repo) : ""}${FIM_PREFIX}${prefix}${FIM_SUFFIX}${suffix}${FIM_MIDDLE}`;
}

export interface ParsedFimPrompt {
  prefix: string;
  suffix: string;
  repo?: RepoContext;
}

/** The parts of a prompt made by formatFimPrompt; null when it is not one. */
export function parseFimPrompt(prompt: string): ParsedFimPrompt | null {
  const start = prompt.indexOf(FIM_PREFIX);
  if (start < 0 || !prompt.endsWith(FIM_MIDDLE)) return null;
  const repo = start === 0 ? null : parseRepoHeader(prompt.slice(0, start));
  if (start > 0 && !repo) return null;
  const body = prompt.slice(start + FIM_PREFIX.length, prompt.length - FIM_MIDDLE.length);
  // The last FIM_SUFFIX: a prefix may quote the token's text (this very file does), a suffix
  // containing it would be cut wrong, and the builders skip such files' FIM samples.
  const cut = body.lastIndexOf(FIM_SUFFIX);
  if (cut === -1) return null;
  return { prefix: body.slice(0, cut), suffix: body.slice(cut + FIM_SUFFIX.length), ...(repo ? { repo } : {}) };
}

export interface FimTokens {
  prefix: number;
  suffix: number;
  middle: number;
}

export interface FimBudget {
  /** Most tokens the prompt may have (the model's context less the completion's room). */
  maxPromptTokens: number;
  /** Share of the budget the suffix may take when both sides are long. */
  suffixShare: number;
  /** Most prefix and suffix tokens, whatever room the context leaves (the completion budget). */
  prefixTokens?: number;
  suffixTokens?: number;
}

/**
 * The prompt as token ids, cut to the budget: the prefix keeps its end, the suffix its start
 * (the text nearest the cursor matters most), and a short side leaves its room to the other.
 * A repository header (encodeRepoHeader, sized to the budget there) goes first.
 */
export function buildFimPrompt(prefixTokens: readonly number[], suffixTokens: readonly number[], fim: FimTokens, budget: FimBudget, header: readonly number[] = []): number[] {
  const head = header.slice(0, Math.max(0, budget.maxPromptTokens - 3));
  const pre = Math.min(prefixTokens.length, budget.prefixTokens ?? Infinity);
  const suf = Math.min(suffixTokens.length, budget.suffixTokens ?? Infinity);
  const room = Math.max(0, budget.maxPromptTokens - 3 - head.length);
  let suffixRoom = Math.min(suf, Math.floor(room * budget.suffixShare));
  const prefixRoom = Math.min(pre, room - suffixRoom);
  suffixRoom = Math.min(suf, room - prefixRoom);
  return [...head, fim.prefix, ...prefixTokens.slice(prefixTokens.length - prefixRoom), fim.suffix, ...suffixTokens.slice(0, suffixRoom), fim.middle];
}
