/**
 * Hugging Face `tokenizer.json` <-> Tokenizer. We write the layout of Qwen2.5-Coder's file (BPE
 * model, Sequence[Split(Qwen2 regex, Isolated), ByteLevel(use_regex false)], ByteLevel
 * post-processor and decoder, added_tokens after the vocabulary) so that transformers, the Rust
 * and JavaScript `tokenizers` and llama.cpp's converter read our files as they read Qwen's. We read
 * that layout and GPT-2's (ByteLevel with use_regex), with merges in either the legacy
 * "a b" string form or the [a, b] pair form of tokenizers >= 0.20. Anything we would tokenize
 * differently from Hugging Face is refused with a TokenizerError that names the file, the JSON
 * path and the problem, never guessed at.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { previewName, previewValue } from "../untrusted/preview-value";
import { firstInvalidUtf8Byte, utf16Bom } from "../untrusted/text-encoding";
import { TokenizerError } from "./errors";
import { GPT2_PATTERN } from "./pretokenizer";
import { Tokenizer, type AddedToken, type NormalizerKind, type TokenizerSpec } from "./tokenizer";
import { PRIVATE_FILE_MODE } from "../fs/private-files";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const BYTE_LEVEL = { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false } as const;
const NORMALIZERS: readonly NormalizerKind[] = ["NFC", "NFD", "NFKC", "NFKD"];

/** The tokenizer.json object (a plain JSON value) for a tokenizer. */
export function tokenizerToJson(tok: Tokenizer): JsonObject {
  const spec = tok.spec;
  const vocab: JsonObject = {};
  // Ordered by id, as Hugging Face writes it, so files diff and compress well.
  for (const [token, id] of [...spec.vocab].sort((a, b) => a[1] - b[1])) vocab[token] = id;
  const model: JsonObject = {
    type: "BPE",
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: "",
    end_of_word_suffix: "",
    fuse_unk: false,
    byte_fallback: false,
    vocab,
    // Legacy "a b" strings: every tokenizers version and llama.cpp's converter read them, and
    // they are unambiguous here because byte-level tokens never contain U+0020 (a space is "Ġ").
    merges: spec.merges.map(([a, b]) => `${a} ${b}`),
  };
  // Written only when set: older readers do not know the key.
  if (spec.ignoreMerges) model.ignore_merges = true;
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [...spec.addedTokens]
      .sort((a, b) => a.id - b.id)
      .map((t: AddedToken) => ({
        id: t.id,
        content: t.content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: t.normalized ?? false,
        special: t.special,
      })),
    normalizer: spec.normalizer ? { type: spec.normalizer } : null,
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [{ type: "Split", pattern: { Regex: spec.pattern }, behavior: "Isolated", invert: false }, { ...BYTE_LEVEL }],
    },
    post_processor: { ...BYTE_LEVEL },
    decoder: { ...BYTE_LEVEL },
    model,
  };
}

/** tokenizer.json text, pretty-printed as Hugging Face writes it. */
export function serializeTokenizerJson(tok: Tokenizer): string {
  return JSON.stringify(tokenizerToJson(tok), null, 2) + "\n";
}

/**
 * Writes tokenizer.json atomically (temporary file, fsync, rename): a crash mid-write leaves the
 * previous file or none, never a truncated one that a resumed run would fail on.
 */
export function saveTokenizerJson(tok: Tokenizer, path: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w", PRIVATE_FILE_MODE); // 0600: it is learnt from the user's code
  try {
    writeSync(fd, serializeTokenizerJson(tok));
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** Reads a tokenizer.json file; every problem is a TokenizerError naming `path`. */
export function loadTokenizerJson(path: string): Tokenizer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new TokenizerError(path, "", `cannot be read (${err instanceof Error ? err.message : String(err)})`);
  }
  // Hugging Face reads tokenizer.json as UTF-8 only. Decoding loosely would turn a corrupt token
  // into U+FFFD and tokenize differently from it, silently; a UTF-8 byte order mark is harmless.
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const utf16 = utf16Bom(bytes);
  if (utf16) throw new TokenizerError(path, "", `is ${utf16} text, not UTF-8: save it as UTF-8`);
  const body = bytes.subarray(start);
  const bad = firstInvalidUtf8Byte(body);
  if (bad !== -1) throw new TokenizerError(path, "", `is not valid UTF-8 (at byte ${bad + start}): the file is corrupt`);
  return parseTokenizerJson(body.toString("utf8"), path);
}

/** Parses tokenizer.json text; `source` names it in errors. */
export function parseTokenizerJson(text: string, source = "tokenizer.json"): Tokenizer {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    // V8 says "Unexpected end of JSON input", or names the position, which for a file cut
    // short is its end.
    const at = /at position (\d+)/.exec(detail);
    const atEnd = /end of (JSON )?input|Unterminated/i.test(detail) || (at !== null && Number(at[1]) >= text.trimEnd().length);
    const hint = text.trim().length === 0 ? "the file is empty" : atEnd ? "truncated or not JSON" : "not valid JSON";
    throw new TokenizerError(source, "", `${hint} (${detail})`);
  }
  return tokenizerFromJson(value, source);
}

/** Builds a Tokenizer from a parsed tokenizer.json value. */
export function tokenizerFromJson(value: unknown, source = "tokenizer.json"): Tokenizer {
  return new Tokenizer(specFromJson(value, source), source);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v)}`;
  return typeof v === "object" ? "an object" : `${typeof v} ${String(v)}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function specFromJson(root: unknown, source: string): TokenizerSpec {
  const fail = (where: string, problem: string): never => {
    throw new TokenizerError(source, where, problem);
  };
  const obj = (v: unknown, where: string): Record<string, unknown> => (isObject(v) ? v : fail(where, `must be an object, found ${describe(v)}`));
  const unsupported = (where: string, v: unknown, why: string): never =>
    fail(where, `${previewValue(v)} is not supported (${why}); RepoTune reads byte-level BPE tokenizers of the GPT-2 and Qwen2 families`);

  const top = obj(root, "");
  const model = obj(top.model, "model");
  if (model.type !== undefined && model.type !== "BPE") unsupported("model.type", model.type, "only BPE models");
  if (model.dropout !== undefined && model.dropout !== null && model.dropout !== 0) unsupported("model.dropout", model.dropout, "BPE dropout randomizes encoding");
  for (const key of ["continuing_subword_prefix", "end_of_word_suffix"] as const) {
    const v = model[key];
    if (v !== undefined && v !== null && v !== "") unsupported(`model.${key}`, v, "byte-level BPE has no word affixes");
  }
  if (model.byte_fallback === true) unsupported("model.byte_fallback", true, "byte-level BPE needs no byte fallback");
  if (model.ignore_merges !== undefined && typeof model.ignore_merges !== "boolean") fail("model.ignore_merges", `must be a boolean, found ${describe(model.ignore_merges)}`);

  const rawVocab = obj(model.vocab, "model.vocab");
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(rawVocab)) {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0) fail(`model.vocab[${previewName(token)}]`, `id must be a non-negative integer, found ${describe(id)}`);
    vocab.set(token, id as number);
  }

  if (!Array.isArray(model.merges)) fail("model.merges", `must be an array, found ${describe(model.merges)}`);
  const merges = (model.merges as unknown[]).map((m, i): [string, string] => {
    if (typeof m === "string") {
      const parts = m.split(" ");
      if (parts.length !== 2 || !parts[0] || !parts[1]) fail(`model.merges[${i}]`, `${describe(m)} is not two tokens separated by one space`);
      return [parts[0]!, parts[1]!];
    }
    if (Array.isArray(m) && m.length === 2 && typeof m[0] === "string" && typeof m[1] === "string") return [m[0], m[1]];
    return fail(`model.merges[${i}]`, `must be "a b" or ["a", "b"], found ${describe(m)}`);
  });

  const addedTokens: AddedToken[] = [];
  if (top.added_tokens !== undefined && top.added_tokens !== null) {
    if (!Array.isArray(top.added_tokens)) fail("added_tokens", `must be an array, found ${describe(top.added_tokens)}`);
    (top.added_tokens as unknown[]).forEach((raw, i) => {
      const where = `added_tokens[${i}]`;
      const t = obj(raw, where);
      if (typeof t.id !== "number" || !Number.isInteger(t.id) || t.id < 0) fail(`${where}.id`, `must be a non-negative integer, found ${describe(t.id)}`);
      if (typeof t.content !== "string" || t.content === "") fail(`${where}.content`, `must be a non-empty string, found ${describe(t.content)}`);
      for (const flag of ["single_word", "lstrip", "rstrip"] as const) {
        if (t[flag] === true) unsupported(`${where}.${flag}`, true, "added tokens are matched exactly");
      }
      addedTokens.push({ id: t.id as number, content: t.content as string, special: t.special === true, normalized: t.normalized === true });
    });
  }

  const normalizer = normalizerFromJson(top.normalizer, fail, unsupported);
  const pattern = patternFromJson(top.pre_tokenizer, fail, unsupported);

  const decoder = top.decoder;
  if (!isObject(decoder) || decoder.type !== "ByteLevel") unsupported("decoder", decoder ?? null, "the decoder must be ByteLevel");
  const post = top.post_processor;
  if (post !== undefined && post !== null && !(isObject(post) && post.type === "ByteLevel")) {
    unsupported("post_processor", isObject(post) ? post.type : post, "it would add tokens RepoTune does not add");
  }

  return { vocab, merges, addedTokens, pattern, normalizer, ignoreMerges: model.ignore_merges === true };
}

type Fail = (where: string, problem: string) => never;
type Unsupported = (where: string, v: unknown, why: string) => never;

function normalizerFromJson(n: unknown, fail: Fail, unsupported: Unsupported): NormalizerKind | null {
  // A loop, not recursion: a Sequence of one Sequence of one... 100,000 deep is valid JSON.
  for (;;) {
    if (n === undefined || n === null) return null;
    if (!isObject(n)) return fail("normalizer", `must be an object or null, found ${describe(n)}`);
    if (n.type !== "Sequence") break;
    const list: unknown = n.normalizers;
    if (!Array.isArray(list)) return fail("normalizer.normalizers", `must be an array, found ${describe(list)}`);
    if (list.length === 0) return null;
    if (list.length > 1) return unsupported("normalizer", "Sequence of several", "only one Unicode normalization form");
    n = list[0];
  }
  if (NORMALIZERS.includes(n.type as NormalizerKind)) return n.type as NormalizerKind;
  return unsupported("normalizer.type", n.type ?? null, "only NFC, NFD, NFKC, NFKD");
}

function patternFromJson(p: unknown, fail: Fail, unsupported: Unsupported): string {
  if (!isObject(p)) return fail("pre_tokenizer", `must be an object, found ${describe(p ?? null)}`);
  const checkByteLevel = (b: Record<string, unknown>, where: string): void => {
    if (b.add_prefix_space === true) unsupported(`${where}.add_prefix_space`, true, "no prefix space is added");
  };
  if (p.type === "ByteLevel") {
    checkByteLevel(p, "pre_tokenizer");
    if (p.use_regex === false) unsupported("pre_tokenizer.use_regex", false, "a ByteLevel pre-tokenizer alone must split with GPT-2's regex");
    return GPT2_PATTERN;
  }
  if (p.type !== "Sequence") return unsupported("pre_tokenizer.type", p.type ?? null, "Sequence[Split, ByteLevel] or ByteLevel");
  const list = p.pretokenizers;
  if (!Array.isArray(list)) return fail("pre_tokenizer.pretokenizers", `must be an array, found ${describe(list)}`);
  if (list.length !== 2) return unsupported("pre_tokenizer.pretokenizers", `${list.length} pre-tokenizers`, "exactly Split then ByteLevel");
  const split = isObject(list[0]) ? list[0] : fail("pre_tokenizer.pretokenizers[0]", `must be an object, found ${describe(list[0])}`);
  const byteLevel = isObject(list[1]) ? list[1] : fail("pre_tokenizer.pretokenizers[1]", `must be an object, found ${describe(list[1])}`);
  if (split.type !== "Split") unsupported("pre_tokenizer.pretokenizers[0].type", split.type ?? null, "the first must be Split");
  if (byteLevel.type !== "ByteLevel") unsupported("pre_tokenizer.pretokenizers[1].type", byteLevel.type ?? null, "the second must be ByteLevel");
  checkByteLevel(byteLevel, "pre_tokenizer.pretokenizers[1]");
  if (byteLevel.use_regex === true || byteLevel.use_regex === undefined) {
    unsupported("pre_tokenizer.pretokenizers[1].use_regex", byteLevel.use_regex ?? "(default true)", "a second regex split after Split");
  }
  if (split.behavior !== "Isolated") unsupported("pre_tokenizer.pretokenizers[0].behavior", split.behavior ?? null, "only Isolated");
  if (split.invert === true) unsupported("pre_tokenizer.pretokenizers[0].invert", true, "only invert: false");
  const pat = isObject(split.pattern) ? split.pattern : fail("pre_tokenizer.pretokenizers[0].pattern", `must be an object, found ${describe(split.pattern)}`);
  if (typeof pat.Regex !== "string") return unsupported("pre_tokenizer.pretokenizers[0].pattern", pat, "only a Regex pattern");
  return pat.Regex;
}
