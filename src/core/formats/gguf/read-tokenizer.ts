// A GGUF file's own vocabulary (tokenizer.ggml.*) as our byte-level BPE tokenizer, so a base
// model is trained, evaluated and prompted with exactly the ids llama.cpp serves it with.
// llama.cpp's vocabulary types: normal tokens and merges make the BPE model; control tokens
// are specials (matched only when asked, like <|fim_prefix|>); user-defined ones are matched
// in plain text; unused rows ([PAD...]) get no token. The pre-tokenizer is named by
// tokenizer.ggml.pre, and each name is a regex in llama.cpp's llama-vocab.cpp.
import { GPT2_PATTERN, QWEN2_PATTERN } from "../../tokenizer/pretokenizer";
import { Tokenizer, TokenizerError, type AddedToken } from "../../tokenizer";
import type { GgufFile } from "./reader";
import { GGUF_TOKEN_TYPE, GgufFormatError } from "./types";

/** Llama 3's pattern (its tokenizer.json): Qwen2's, but digits in runs of up to three. */
export const LLAMA3_PATTERN = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

/** tokenizer.ggml.pre names we can tokenize exactly, and the pattern each stands for. */
export const GGUF_PRE_PATTERNS: Readonly<Record<string, { pattern: string; ignoreMerges: boolean }>> = {
  qwen2: { pattern: QWEN2_PATTERN, ignoreMerges: false },
  "llama-bpe": { pattern: LLAMA3_PATTERN, ignoreMerges: true },
  llama3: { pattern: LLAMA3_PATTERN, ignoreMerges: true },
  gpt2: { pattern: GPT2_PATTERN, ignoreMerges: false },
  default: { pattern: GPT2_PATTERN, ignoreMerges: false },
};

/** The tokenizer.ggml.pre name llama.cpp needs for a pattern (export), or undefined. */
export function ggufPreName(pattern: string): string | undefined {
  if (pattern === QWEN2_PATTERN) return "qwen2";
  if (pattern === LLAMA3_PATTERN) return "llama-bpe";
  if (pattern === GPT2_PATTERN) return "gpt2";
  return undefined;
}

function stringArray(file: GgufFile, key: string, label: string): string[] {
  const v = file.metadata.get(key);
  if (v === undefined) throw new GgufFormatError(`${label}: no ${key}; the file carries no vocabulary, so RepoTune cannot tokenize for it`);
  if (v.type !== "array" || v.itemType !== "string") throw new GgufFormatError(`${label}: ${key} is not an array of strings`);
  return v.value;
}

export function tokenizerFromGguf(file: GgufFile, label: string): Tokenizer {
  const model = file.metadata.get("tokenizer.ggml.model");
  if (model?.type !== "string") throw new GgufFormatError(`${label}: no tokenizer.ggml.model; the file carries no vocabulary`);
  if (model.value !== "gpt2") {
    throw new GgufFormatError(
      `${label}: its vocabulary is ${JSON.stringify(model.value)} (${model.value === "llama" ? "SentencePiece, as Llama 2 and CodeLlama use" : "not byte-level BPE"}); RepoTune trains on byte-level BPE vocabularies (Qwen2.5-Coder, Llama 3). llama.cpp can still serve it.`,
    );
  }
  const preValue = file.metadata.get("tokenizer.ggml.pre");
  const pre = preValue?.type === "string" ? preValue.value : "default";
  const pretok = GGUF_PRE_PATTERNS[pre];
  if (!pretok) {
    throw new GgufFormatError(
      `${label}: pre-tokenizer ${JSON.stringify(pre)} (tokenizer.ggml.pre) is not one RepoTune splits text like (${Object.keys(GGUF_PRE_PATTERNS).join(", ")}); llama.cpp can still serve it`,
    );
  }
  const tokens = stringArray(file, "tokenizer.ggml.tokens", label);
  const typesValue = file.metadata.get("tokenizer.ggml.token_type");
  let types: number[];
  if (typesValue === undefined) types = new Array<number>(tokens.length).fill(GGUF_TOKEN_TYPE.normal);
  else if (typesValue.type === "array" && typeof typesValue.value[0] === "number" && typesValue.value.length === tokens.length) types = typesValue.value as number[];
  else throw new GgufFormatError(`${label}: tokenizer.ggml.token_type must be one number per token (${tokens.length})`);
  const merges = stringArray(file, "tokenizer.ggml.merges", label).map((m, i): [string, string] => {
    const cut = m.indexOf(" ", 1);
    if (cut <= 0 || cut === m.length - 1) throw new GgufFormatError(`${label}: tokenizer.ggml.merges[${i}] ${JSON.stringify(m)} is not two tokens separated by a space`);
    return [m.slice(0, cut), m.slice(cut + 1)];
  });
  const vocab = new Map<string, number>();
  const added: AddedToken[] = [];
  tokens.forEach((text, id) => {
    const type = types[id];
    if (type === GGUF_TOKEN_TYPE.control) added.push({ id, content: text, special: true });
    else if (type === GGUF_TOKEN_TYPE.userDefined) added.push({ id, content: text, special: false });
    else if (type !== GGUF_TOKEN_TYPE.unused) vocab.set(text, id);
  });
  try {
    return new Tokenizer({ vocab, merges, addedTokens: added, pattern: pretok.pattern, normalizer: null, ignoreMerges: pretok.ignoreMerges }, label);
  } catch (err) {
    if (!(err instanceof TokenizerError)) throw err;
    // The Tokenizer speaks of tokenizer.json's fields; say which GGUF key holds the problem.
    throw new GgufFormatError(`${label}: its vocabulary cannot be used: ${ggufWhere(err.where)}${err.problem}`);
  }
}

const GGUF_KEY_OF: [RegExp, string][] = [
  [/^model\.vocab/, "tokenizer.ggml.tokens"],
  [/^added_tokens/, "tokenizer.ggml.tokens (control and user-defined)"],
  [/^model\.merges/, "tokenizer.ggml.merges"],
  [/^pre_tokenizer/, "tokenizer.ggml.pre"],
];

function ggufWhere(where: string): string {
  if (!where) return "";
  for (const [re, key] of GGUF_KEY_OF) if (re.test(where)) return `${where.replace(re, key)}: `;
  return `${where}: `;
}
