// tokenizer.json (Hugging Face, byte-level BPE) -> llama.cpp's tokenizer.ggml.* keys.
// What llama.cpp needs (shared/notes/engine-facts.md): model "gpt2" (byte-level BPE),
// pre "qwen2" (its copy of the Qwen2 pre-tokenizer regex; "gpt2" would split differently),
// one string per id up to the embedding's row count, token_type 3 (control) for specials
// so they are never produced from plain text, the merges as "a b", the special ids, and
// add_bos_token false (Qwen2 prompts start without BOS).
import { ENDOFTEXT, FILE_SEP, FIM_MIDDLE, FIM_PAD, FIM_PREFIX, FIM_SUFFIX, REPO_NAME } from "../../tokenizer/special-tokens";
import { ggufPreName } from "./read-tokenizer";
import { bool, GGUF_TOKEN_TYPE, GgufFormatError, i32s, str, strings, u32, type GgufValue } from "./types";

export interface HfAddedToken {
  id: number;
  content: string;
  special?: boolean;
}

export interface HfTokenizerJson {
  model: { type?: string; vocab: Record<string, number>; merges: (string | [string, string])[] };
  added_tokens?: HfAddedToken[];
  pre_tokenizer?: unknown;
  decoder?: unknown;
}

export interface TokenizerIds {
  bosTokenId?: number;
  eosTokenId?: number;
  padTokenId?: number;
}


export function parseTokenizerJson(raw: unknown, label = "tokenizer.json"): HfTokenizerJson {
  const t = raw as Partial<HfTokenizerJson> | null;
  if (typeof t !== "object" || t === null || typeof t.model !== "object" || t.model === null) {
    throw new GgufFormatError(`${label}: no "model" object; is this a Hugging Face tokenizer.json?`);
  }
  if (t.model.type !== undefined && t.model.type !== "BPE") {
    throw new GgufFormatError(`${label}: model type ${JSON.stringify(t.model.type)} is not BPE; only byte-level BPE exports to GGUF here`);
  }
  if (typeof t.model.vocab !== "object" || !Array.isArray(t.model.merges)) {
    throw new GgufFormatError(`${label}: model.vocab or model.merges is missing`);
  }
  if (!JSON.stringify([t.pre_tokenizer ?? null, t.decoder ?? null]).includes("ByteLevel")) {
    throw new GgufFormatError(`${label}: not a byte-level BPE (no ByteLevel pre-tokenizer or decoder)`);
  }
  return t as HfTokenizerJson;
}

/** llama.cpp's name for the tokenizer's split pattern; Qwen2's when the file names none we know. */
function preName(tok: HfTokenizerJson): string {
  const pre = tok.pre_tokenizer as { type?: string; use_regex?: boolean; pattern?: { Regex?: string }; pretokenizers?: unknown[] } | null | undefined;
  const steps = (pre?.type === "Sequence" ? pre.pretokenizers : [pre]) as ({ type?: string; use_regex?: boolean; pattern?: { Regex?: string } } | null)[] | undefined;
  for (const step of steps ?? []) {
    const regex = step?.type === "Split" ? step.pattern?.Regex : undefined;
    if (regex !== undefined) return ggufPreName(regex) ?? "qwen2";
    if (step?.type === "ByteLevel" && step.use_regex !== false) return "gpt2";
  }
  return "qwen2";
}

/** Token strings by id, with each id's type and the special ids found by their text. */
export function tokenizerMetadata(tok: HfTokenizerJson, rows: number, ids: TokenizerIds = {}): [string, GgufValue][] {
  const tokens: (string | undefined)[] = new Array(rows);
  const types: number[] = new Array(rows).fill(GGUF_TOKEN_TYPE.normal);
  const place = (content: string, id: number, type: number): void => {
    if (!Number.isInteger(id) || id < 0 || id >= rows) {
      throw new GgufFormatError(`tokenizer.json: token ${JSON.stringify(content)} has id ${id}, but the model has ${rows} embedding rows`);
    }
    tokens[id] = content;
    types[id] = type;
  };
  for (const [content, id] of Object.entries(tok.model.vocab)) place(content, id, GGUF_TOKEN_TYPE.normal);
  const byText = new Map<string, number>();
  for (const a of tok.added_tokens ?? []) {
    place(a.content, a.id, a.special ? GGUF_TOKEN_TYPE.control : GGUF_TOKEN_TYPE.userDefined);
    byText.set(a.content, a.id);
  }
  // Embedding rows beyond the tokenizer (Qwen2.5 pads to a multiple of 64) get unique unused names.
  for (let i = 0; i < rows; i++) {
    if (tokens[i] === undefined) {
      tokens[i] = `[PAD${i}]`;
      types[i] = GGUF_TOKEN_TYPE.unused;
    }
  }
  const merges = tok.model.merges.map((m) => (Array.isArray(m) ? `${m[0]} ${m[1]}` : m));
  const eot = byText.get(ENDOFTEXT);
  const eos = ids.eosTokenId ?? eot;
  if (eos === undefined) throw new GgufFormatError(`tokenizer.json: no ${ENDOFTEXT} token and no eos_token_id in config.json`);
  const entries: [string, GgufValue][] = [
    ["tokenizer.ggml.model", str("gpt2")],
    ["tokenizer.ggml.pre", str(preName(tok))],
    ["tokenizer.ggml.tokens", strings(tokens as string[])],
    ["tokenizer.ggml.token_type", i32s(types)],
    ["tokenizer.ggml.merges", strings(merges)],
    ["tokenizer.ggml.bos_token_id", u32(ids.bosTokenId ?? eos)],
    ["tokenizer.ggml.eos_token_id", u32(eos)],
    ["tokenizer.ggml.padding_token_id", u32(ids.padTokenId ?? eot ?? eos)],
    ["tokenizer.ggml.add_bos_token", bool(false)],
  ];
  const fimKeys: [string, string][] = [
    ["tokenizer.ggml.fim_pre_token_id", FIM_PREFIX],
    ["tokenizer.ggml.fim_suf_token_id", FIM_SUFFIX],
    ["tokenizer.ggml.fim_mid_token_id", FIM_MIDDLE],
    ["tokenizer.ggml.fim_pad_token_id", FIM_PAD],
    ["tokenizer.ggml.fim_rep_token_id", REPO_NAME],
    ["tokenizer.ggml.fim_sep_token_id", FILE_SEP],
  ];
  for (const [key, text] of fimKeys) {
    const id = byText.get(text);
    if (id !== undefined) entries.push([key, u32(id)]);
  }
  return entries;
}
