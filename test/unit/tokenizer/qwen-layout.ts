// A tokenizer.json in Qwen2.5-Coder's exact layout, which we cannot download here: the file as
// Qwen ships it (NFC normalizer, Sequence[Split(regex, Isolated), ByteLevel] pre-tokenizer,
// ByteLevel post-processor and decoder, BPE model with legacy "a b" merges, and 22 added tokens
// right after the vocabulary, of which the tool-call and FIM ones are *not* special), with our
// trained vocabulary and merges in place of Qwen's 151,643 tokens.
import { tokenizerToJson, type Tokenizer } from "../../../src/core/tokenizer";

const QWEN25_ADDED: [string, boolean][] = [
  ["<|endoftext|>", true],
  ["<|im_start|>", true],
  ["<|im_end|>", true],
  ["<|object_ref_start|>", true],
  ["<|object_ref_end|>", true],
  ["<|box_start|>", true],
  ["<|box_end|>", true],
  ["<|quad_start|>", true],
  ["<|quad_end|>", true],
  ["<|vision_start|>", true],
  ["<|vision_end|>", true],
  ["<|vision_pad|>", true],
  ["<|image_pad|>", true],
  ["<|video_pad|>", true],
  ["<tool_call>", false],
  ["</tool_call>", false],
  ["<|fim_prefix|>", false],
  ["<|fim_middle|>", false],
  ["<|fim_suffix|>", false],
  ["<|fim_pad|>", false],
  ["<|repo_name|>", false],
  ["<|file_sep|>", false],
];

export function qwenLayoutJson(trained: Tokenizer): Record<string, unknown> {
  const ours = tokenizerToJson(trained) as Record<string, unknown> & { model: { vocab: Record<string, number> } };
  const first = Object.keys(ours.model.vocab).length;
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: QWEN25_ADDED.map(([content, special], i) => ({
      id: first + i,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special,
    })),
    normalizer: { type: "NFC" },
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [
        {
          type: "Split",
          pattern: { Regex: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" },
          behavior: "Isolated",
          invert: false,
        },
        { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
      ],
    },
    post_processor: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      byte_fallback: false,
      vocab: ours.model.vocab,
      merges: (ours.model as unknown as { merges: string[] }).merges,
    },
  };
}
