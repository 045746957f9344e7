/**
 * The special tokens of RepoTune's models (DESIGN.md, "Models and formats"). They are the
 * Qwen2.5-Coder names, so a repo-trained tokenizer and a real Qwen2.5-Coder tokenizer agree on
 * the FIM and file-separator conventions, and llama.cpp finds its FIM ids by these strings.
 *
 * Shared by the dataset builders (FIM samples, file packing) and the tokenizer (trainer and
 * tokenizer.json). Order matters for a tokenizer trained from scratch: it is the order of
 * their ids at the end of the vocabulary.
 */
export const ENDOFTEXT = "<|endoftext|>";
export const FIM_PREFIX = "<|fim_prefix|>";
export const FIM_SUFFIX = "<|fim_suffix|>";
export const FIM_MIDDLE = "<|fim_middle|>";
export const FIM_PAD = "<|fim_pad|>";
export const REPO_NAME = "<|repo_name|>";
export const FILE_SEP = "<|file_sep|>";

export const SPECIAL_TOKENS = [ENDOFTEXT, FIM_PREFIX, FIM_SUFFIX, FIM_MIDDLE, FIM_PAD, REPO_NAME, FILE_SEP] as const;

export type SpecialToken = (typeof SPECIAL_TOKENS)[number];
