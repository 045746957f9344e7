/**
 * RepoTune's byte-level BPE tokenizer (GPT-2 byte alphabet, Qwen2 pre-tokenizer), readable and
 * writable as a Hugging Face tokenizer.json. See tokenizer.ts for encode/decode, trainer.ts for
 * training, tokenizer-json.ts for files.
 */
export { BYTE_TO_CHAR, BYTES_IN_ID_ORDER, CHAR_TO_BYTE, bytesToSymbols, symbolsToBytes } from "./byte-alphabet";
export { TokenizerError } from "./errors";
export { compilePattern, GPT2_PATTERN, onigurumaToJs, PatternError, QWEN2_PATTERN, splitPieces } from "./pretokenizer";
export { Tokenizer, type AddedToken, type DecodeOptions, type EncodeOptions, type NormalizerKind, type TokenizerSpec } from "./tokenizer";
export { loadTokenizerJson, parseTokenizerJson, saveTokenizerJson, serializeTokenizerJson, tokenizerFromJson, tokenizerToJson } from "./tokenizer-json";
export { trainBpe, type TrainOptions, type TrainProgress } from "./trainer";
