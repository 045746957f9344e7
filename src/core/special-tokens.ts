// The special tokens of DESIGN.md ("Tokenizer"), in one place: the dataset builders write
// them into pretrain/FIM text, the tokenizer registers them as added tokens, and the
// completion server builds its prompts with them. They are the Qwen2.5-Coder spellings, so
// a dataset built here trains a Qwen2 checkpoint without any remapping.

export const ENDOFTEXT = "<|endoftext|>";
export const FIM_PREFIX = "<|fim_prefix|>";
export const FIM_SUFFIX = "<|fim_suffix|>";
export const FIM_MIDDLE = "<|fim_middle|>";
export const FIM_PAD = "<|fim_pad|>";
export const REPO_NAME = "<|repo_name|>";
export const FILE_SEP = "<|file_sep|>";

/**
 * Every special token, in the order a tokenizer trained from scratch gives them ids
 * (endoftext first, as in Qwen2, where it doubles as the padding and EOS token).
 */
export const SPECIAL_TOKENS = [ENDOFTEXT, FIM_PREFIX, FIM_MIDDLE, FIM_SUFFIX, FIM_PAD, REPO_NAME, FILE_SEP] as const;
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];

/** The end-of-sequence token a completion (FIM middle, SFT completion) is trained to end with. */
export const EOS_TOKEN = ENDOFTEXT;
