// tokenizer_config.json and generation_config.json for an exported model folder. transformers'
// AutoTokenizer needs the first to know the tokenizer's class and its special tokens; without
// the second, `generate` would not stop at the end-of-text token. Both are derived from the
// tokenizer.json we ship, so they cannot disagree with it.
import { ENDOFTEXT, FIM_PAD } from "../../tokenizer/special-tokens";

interface AddedToken {
  id: number;
  content: string;
  single_word?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
  special?: boolean;
}

/** The added tokens of a parsed tokenizer.json, by id. */
export function addedTokens(tokenizerJson: unknown): AddedToken[] {
  const list = (tokenizerJson as { added_tokens?: unknown }).added_tokens;
  if (!Array.isArray(list)) return [];
  return list.filter((t): t is AddedToken => typeof t === "object" && t !== null && Number.isInteger((t as AddedToken).id) && typeof (t as AddedToken).content === "string");
}

export function tokenId(tokenizerJson: unknown, content: string): number | null {
  return addedTokens(tokenizerJson).find((t) => t.content === content)?.id ?? null;
}

/**
 * PreTrainedTokenizerFast reads everything from tokenizer.json, whichever tokenizer trained it
 * (ours or a base's), where a model-specific class would also want vocab.json and merges.txt.
 */
export function tokenizerConfigJson(tokenizerJson: unknown, modelMaxLength: number): Record<string, unknown> {
  const decoder: Record<string, Omit<AddedToken, "id">> = {};
  for (const t of addedTokens(tokenizerJson)) {
    decoder[String(t.id)] = { content: t.content, lstrip: t.lstrip ?? false, normalized: t.normalized ?? false, rstrip: t.rstrip ?? false, single_word: t.single_word ?? false, special: t.special ?? true };
  }
  const has = (content: string) => addedTokens(tokenizerJson).some((t) => t.content === content);
  const eos = has(ENDOFTEXT) ? ENDOFTEXT : null;
  return {
    tokenizer_class: "PreTrainedTokenizerFast",
    added_tokens_decoder: decoder,
    bos_token: null,
    eos_token: eos,
    // Qwen2.5-Coder pads with <|endoftext|> too; FIM_PAD is for FIM fill, not batch padding.
    pad_token: eos ?? (has(FIM_PAD) ? FIM_PAD : null),
    model_max_length: modelMaxLength,
    clean_up_tokenization_spaces: false,
    split_special_tokens: false,
  };
}

/** Greedy decoding that stops where the editor's completions stop: at the end-of-text ids. */
export function generationConfigJson(eosTokenIds: number[], bosTokenId: number | null): Record<string, unknown> {
  return {
    bos_token_id: bosTokenId,
    eos_token_id: eosTokenIds.length === 1 ? eosTokenIds[0] : eosTokenIds,
    pad_token_id: eosTokenIds[0] ?? null,
    do_sample: false,
    transformers_version: "4.46.0",
  };
}
