// Records of the datasets -> token rows the trainer batches. One place decides how a FIM
// prompt is cut to fit the context, so SFT, DPO, the teacher pass and evaluation all show
// the model the same layout: PSM order, the prefix keeping its end (the code right before
// the cursor), the suffix keeping its start (the code right after).
import type { CompletionBudget } from "../completion/context";
import { buildFimPrompt, parseFimPrompt } from "../completion/fim-prompt";
import { encodeRepoHeader, type HeaderBudget, type RepoContext } from "../completion/repo-prompt";
import { ENDOFTEXT, FILE_SEP, FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX, REPO_NAME } from "../tokenizer/special-tokens";
import type { Tokenizer } from "../tokenizer";

/** The slice of the Tokenizer the post-training stages need (tests pass a toy one). */
export type TextTokenizer = Pick<Tokenizer, "encode" | "decode" | "addedTokenId" | "vocabSize">;

export interface SpecialIds {
  eos: number;
  fimPrefix: number;
  fimSuffix: number;
  fimMiddle: number;
}

export function specialIds(tok: TextTokenizer): SpecialIds {
  return {
    eos: tok.addedTokenId(ENDOFTEXT),
    fimPrefix: tok.addedTokenId(FIM_PREFIX),
    fimSuffix: tok.addedTokenId(FIM_SUFFIX),
    fimMiddle: tok.addedTokenId(FIM_MIDDLE),
  };
}

/** Share of a FIM prompt's budget the suffix may take: the prefix matters more to the next line. */
const SUFFIX_SHARE = 0.25;

/** The repository header's ids, or none when the vocabulary lacks its tokens. */
function repoHeader(tok: TextTokenizer, repo: RepoContext | undefined, budget: HeaderBudget): number[] {
  if (!repo) return [];
  let ids;
  try {
    ids = { repoName: tok.addedTokenId(REPO_NAME), fileSep: tok.addedTokenId(FILE_SEP) };
  } catch {
    return [];
  }
  return encodeRepoHeader((t) => tok.encode(t), ids, repo, budget);
}

/**
 * A FIM prompt of at most `budget` tokens (at least 4), laid out as the completion server lays
 * it (core/completion/fim-prompt): the repository header when there is one and the model's
 * context (`contextTokens`, default the budget) has room for it, markers, the prefix's tail,
 * the suffix's head; at most the completion budget's tokens of each side when one is given.
 */
export function encodeFim(tok: TextTokenizer, prefix: string, suffix: string, budget: number, sides?: CompletionBudget, repo?: RepoContext, contextTokens = budget): number[] {
  const ids = specialIds(tok);
  const fim = { prefix: ids.fimPrefix, suffix: ids.fimSuffix, middle: ids.fimMiddle };
  const header = repoHeader(tok, repo, { contextTokens, promptTokens: budget, ...(sides?.extraTokens !== undefined ? { extraTokens: sides.extraTokens } : {}) });
  return buildFimPrompt(tok.encode(prefix), tok.encode(suffix), fim, { maxPromptTokens: budget, suffixShare: SUFFIX_SHARE, ...sides }, header);
}

/**
 * A prompt of at most `budget` tokens. FIM prompts (as formatFimPrompt writes them) are cut
 * part by part; any other prompt (a docstring, a commit message) keeps its end.
 */
export function encodePrompt(tok: TextTokenizer, prompt: string, budget: number, contextTokens = budget): number[] {
  const fim = parseFimPrompt(prompt);
  if (fim) return encodeFim(tok, fim.prefix, fim.suffix, budget, undefined, fim.repo, contextTokens);
  const ids = tok.encode(prompt);
  return ids.slice(Math.max(0, ids.length - budget));
}

export interface PromptCompletionRow {
  /** prompt + completion (+ end of text), at most seqLen + 1 tokens. */
  ids: number[];
  /** Index in `ids` of the first completion token: the loss counts from there. */
  completionStart: number;
}

/**
 * Prompt and completion as one row of at most seqLen + 1 tokens (inputs and shifted targets
 * of one training row). The completion keeps up to half the row and ends with <|endoftext|>
 * when it fits whole, so the model learns where a fill stops; the prompt fills the rest.
 * Returns null when nothing of the completion would remain.
 */
export function encodePromptCompletion(tok: TextTokenizer, prompt: string, completion: string, seqLen: number, appendEos = true): PromptCompletionRow | null {
  const total = seqLen + 1;
  let comp = tok.encode(completion);
  const maxComp = Math.max(1, Math.floor(total / 2));
  if (comp.length + (appendEos ? 1 : 0) <= maxComp) {
    if (appendEos) comp = [...comp, specialIds(tok).eos];
  } else comp = comp.slice(0, maxComp);
  if (comp.length === 0) return null;
  const promptIds = encodePrompt(tok, prompt, total - comp.length, seqLen);
  return { ids: [...promptIds, ...comp], completionStart: promptIds.length };
}

/**
 * Continued pretraining rows: documents joined with <|endoftext|> between them and cut into
 * windows of seqLen + 1 tokens (consecutive windows share one token, so every token is a
 * target once). The last partial window is kept when at least a quarter full.
 */
export function packDocuments(tok: TextTokenizer, texts: Iterable<string>, seqLen: number): number[][] {
  const eos = specialIds(tok).eos;
  const stream: number[] = [];
  for (const text of texts) {
    if (stream.length) stream.push(eos);
    for (const id of tok.encode(text)) stream.push(id);
  }
  const rows: number[][] = [];
  for (let start = 0; start + 1 < stream.length; start += seqLen) {
    const row = stream.slice(start, start + seqLen + 1);
    if (row.length === seqLen + 1 || row.length - 1 >= seqLen / 4) rows.push(row);
  }
  return rows;
}

/**
 * Several completions of one prompt (a preference pair's chosen and rejected) as rows that
 * share the same prompt tokens, so their log-probs are compared on equal context. Each
 * completion keeps up to half the row; the prompt gets what the longest leaves.
 */
export function encodeSharedPrompt(tok: TextTokenizer, prompt: string, completions: readonly string[], seqLen: number, appendEos = false): PromptCompletionRow[] | null {
  const total = seqLen + 1;
  const maxComp = Math.max(1, Math.floor(total / 2));
  const eos = appendEos ? [specialIds(tok).eos] : [];
  const comps = completions.map((c) => [...tok.encode(c), ...eos].slice(0, maxComp));
  if (comps.some((c) => c.length === 0)) return null;
  const promptIds = encodePrompt(tok, prompt, total - Math.max(...comps.map((c) => c.length)), seqLen);
  return comps.map((c) => ({ ids: [...promptIds, ...c], completionStart: promptIds.length }));
}

/** Rows are padded with <|endoftext|>, which no counted target ever sees as input. */
export function padIdOf(tok: TextTokenizer): number {
  return specialIds(tok).eos;
}
