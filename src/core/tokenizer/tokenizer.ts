/**
 * The byte-level BPE tokenizer: text -> ids and back, as Hugging Face's `tokenizers` does for a
 * tokenizer.json with a BPE model, a (Split regex + ByteLevel) pre-tokenizer and a ByteLevel
 * decoder, the layout of GPT-2, Qwen2 and Qwen2.5-Coder. It is built from a TokenizerSpec (the
 * trainer makes one; tokenizer-json.ts reads one from a file) and is immutable apart from its
 * cache.
 */
import { BYTE_TO_CHAR, symbolsToBytes } from "./byte-alphabet";
import { TokenizerError } from "./errors";
import { mergeWord, PairTable, type MergeTable } from "./merge-word";
import { compilePattern, PatternError } from "./pretokenizer";
import { utf8Decode, utf8Encode, utf8Into } from "./utf8";
import { previewName } from "../untrusted/preview-value";

/** Unused ids a vocabulary may leave beyond doubling its size (padding rows, removed tokens). */
const MAX_ID_GAP = 65_536;

/** A token matched verbatim in text before pre-tokenization (tokenizer.json's added_tokens). */
export interface AddedToken {
  readonly id: number;
  readonly content: string;
  /** Special tokens (control tokens) are matched in text only when asked: see EncodeOptions. */
  readonly special: boolean;
  /** Kept for writing the file back unchanged; RepoTune matches added tokens on raw text. */
  readonly normalized?: boolean;
}

/** Unicode normalization applied before pre-tokenizing (Qwen2 uses NFC; ours use none). */
export type NormalizerKind = "NFC" | "NFD" | "NFKC" | "NFKD";

/** Everything that defines a byte-level BPE tokenizer. */
export interface TokenizerSpec {
  /** Model vocabulary: token in byte-alphabet form -> id. Must hold all 256 single bytes. */
  readonly vocab: ReadonlyMap<string, number>;
  /** Merges in rank order, each a pair of vocabulary tokens whose concatenation is one too. */
  readonly merges: readonly (readonly [string, string])[];
  readonly addedTokens: readonly AddedToken[];
  /** The pre-tokenizer pattern in Oniguruma syntax, as tokenizer.json stores it. */
  readonly pattern: string;
  readonly normalizer: NormalizerKind | null;
  /** Llama 3 style: a pre-token that is itself in the vocabulary skips the merges. */
  readonly ignoreMerges?: boolean;
}

export interface EncodeOptions {
  /**
   * Match special tokens (`<|endoftext|>`, the FIM markers...) written in the text. Off by
   * default: repository text that happens to contain "<|endoftext|>" (a tokenizer's source, say)
   * must be encoded as the characters it is, never as a control token. Added tokens that are not
   * special are always matched, as Hugging Face does.
   */
  readonly allowSpecial?: boolean;
}

export interface DecodeOptions {
  /** Leave special tokens out of the text (Hugging Face's skip_special_tokens). */
  readonly skipSpecial?: boolean;
}

// Pre-tokens longer than this are not cached: they are rare (long whitespace runs, blobs) and
// would fill the cache with keys that never repeat.
const MAX_CACHED_PIECE = 256;
// Bounds the cache's memory (about 100 bytes an entry) on corpora with huge vocabularies of
// identifiers; when full it is cleared, which costs one re-merge per piece seen again.
const MAX_CACHE_ENTRIES = 200_000;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** One regex matching any of the contents, longest first (Hugging Face matches leftmost-longest). */
function alternation(contents: readonly string[]): RegExp | null {
  if (contents.length === 0) return null;
  const sorted = [...contents].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  return new RegExp(sorted.map(escapeRegExp).join("|"), "gu");
}

export class Tokenizer {
  readonly spec: TokenizerSpec;
  /** One more than the largest id (model or added): the embedding matrix needs this many rows. */
  readonly vocabSize: number;
  /** Ids of the added tokens flagged special. */
  readonly specialIds: ReadonlySet<number>;

  private readonly tokenToIdMap = new Map<string, number>();
  private readonly idToTokenList: (string | undefined)[];
  private readonly idBytes: (Uint8Array | undefined)[];
  private readonly byteIds = new Int32Array(256);
  private readonly table: MergeTable;
  private readonly pieceRe: RegExp;
  private readonly allAddedRe: RegExp | null;
  private readonly plainAddedRe: RegExp | null;
  private readonly addedIds = new Map<string, number>();
  private readonly cache = new Map<string, Int32Array>();
  private scratch = new Uint8Array(1024);
  private scratchIds = new Int32Array(1024);

  /** @param source names the file (or origin) in error messages. */
  constructor(spec: TokenizerSpec, source = "tokenizer") {
    this.spec = spec;
    const fail = (where: string, problem: string): never => {
      throw new TokenizerError(source, where, problem);
    };

    let maxId = -1;
    const idToToken: (string | undefined)[] = [];
    for (const [token, id] of spec.vocab) {
      if (!Number.isInteger(id) || id < 0) fail(`model.vocab[${previewName(token)}]`, `id ${id} is not a non-negative integer`);
      if (idToToken[id] !== undefined) fail(`model.vocab[${previewName(token)}]`, `id ${id} is already used by ${previewName(idToToken[id]!)}`);
      idToToken[id] = token;
      this.tokenToIdMap.set(token, id);
      if (id > maxId) maxId = id;
    }

    for (let b = 0; b < 256; b++) {
      const id = spec.vocab.get(BYTE_TO_CHAR[b]!);
      if (id === undefined) fail("model.vocab", `lacks the single-byte token ${previewName(BYTE_TO_CHAR[b]!)} (byte 0x${b.toString(16).padStart(2, "0")}): a byte-level vocabulary needs all 256`);
      this.byteIds[b] = id!;
    }

    const pairIds: [number, number][] = [];
    const results = new Int32Array(spec.merges.length);
    spec.merges.forEach(([a, b], rank) => {
      const where = `model.merges[${rank}]`;
      const ia = spec.vocab.get(a);
      const ib = spec.vocab.get(b);
      const ir = spec.vocab.get(a + b);
      if (ia === undefined) fail(where, `${previewName(a)} is not in model.vocab`);
      if (ib === undefined) fail(where, `${previewName(b)} is not in model.vocab`);
      if (ir === undefined) fail(where, `the merged token ${previewName(a + b)} is not in model.vocab`);
      pairIds.push([ia!, ib!]);
      results[rank] = ir!;
    });
    this.table = { pairs: new PairTable(pairIds), results };

    const added = new Map<number, AddedToken>();
    for (const [i, t] of spec.addedTokens.entries()) {
      const where = `added_tokens[${i}]`;
      if (!Number.isInteger(t.id) || t.id < 0) fail(where, `id ${t.id} is not a non-negative integer`);
      if (typeof t.content !== "string" || t.content.length === 0) fail(where, "content is empty");
      const inVocab = idToToken[t.id];
      // GPT-2 lists <|endoftext|> both in the vocabulary and as an added token: fine when they agree.
      if (inVocab !== undefined && inVocab !== t.content) fail(where, `id ${t.id} is ${previewName(t.content)} here but ${previewName(inVocab)} in model.vocab`);
      if (added.has(t.id)) fail(where, `id ${t.id} is listed twice`);
      const other = this.addedIds.get(t.content);
      if (other !== undefined) fail(where, `${previewName(t.content)} is listed twice (ids ${other} and ${t.id})`);
      added.set(t.id, t);
      this.addedIds.set(t.content, t.id);
      if (t.id > maxId) maxId = t.id;
    }
    // Ids index arrays (and a model's embedding rows): a corrupt id of 2^40 must be refused here,
    // not become `new Array(2 ** 40)`. Real vocabularies are dense; allow gaps, not a desert.
    const entries = spec.vocab.size + spec.addedTokens.length;
    const idLimit = Math.max(2 * entries, entries + MAX_ID_GAP);
    if (maxId >= idLimit) {
      const vocabEntry = [...spec.vocab].find(([, id]) => id === maxId);
      const where = vocabEntry ? `model.vocab[${previewName(vocabEntry[0])}]` : `added_tokens[${spec.addedTokens.findIndex((t) => t.id === maxId)}]`;
      fail(where, `id ${maxId} is far beyond the ${entries} tokens listed (ids must stay below ${idLimit}): a corrupt id`);
    }
    this.vocabSize = maxId + 1;
    this.idToTokenList = idToToken;
    this.idBytes = new Array<Uint8Array | undefined>(this.vocabSize);
    for (let id = 0; id < idToToken.length; id++) {
      const token = idToToken[id];
      // A vocabulary entry outside the byte alphabet (GPT-2's <|endoftext|>) is text, not bytes.
      if (token !== undefined) this.idBytes[id] = symbolsToBytes(token) ?? utf8Encode(token);
    }
    for (const t of added.values()) {
      this.idBytes[t.id] = utf8Encode(t.content);
      this.idToTokenList[t.id] = t.content;
      this.tokenToIdMap.set(t.content, t.id);
    }
    this.specialIds = new Set([...added.values()].filter((t) => t.special).map((t) => t.id));
    this.allAddedRe = alternation([...added.values()].map((t) => t.content));
    this.plainAddedRe = alternation([...added.values()].filter((t) => !t.special).map((t) => t.content));

    try {
      this.pieceRe = compilePattern(spec.pattern);
    } catch (err) {
      if (err instanceof PatternError) fail("pre_tokenizer", `pattern ${previewName(spec.pattern, 120)} is not supported: ${err.message}`);
      throw err;
    }
  }

  /**
   * Text -> ids. Decoding them gives the text back exactly when the tokenizer has no normalizer
   * (ours never do); with one (Qwen2's NFC) it gives the normalized text.
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const out: number[] = [];
    const re = options.allowSpecial ? this.allAddedRe : this.plainAddedRe;
    if (re === null) {
      this.encodeSegment(text, out);
      return out;
    }
    let last = 0;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m.index > last) this.encodeSegment(text.slice(last, m.index), out);
      out.push(this.addedIds.get(m[0])!);
      last = m.index + m[0].length;
    }
    if (last < text.length) this.encodeSegment(last === 0 ? text : text.slice(last), out);
    return out;
  }

  /** Ids -> UTF-8 bytes, exactly as the tokens hold them. */
  decodeBytes(ids: ArrayLike<number>, options: DecodeOptions = {}): Uint8Array {
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (options.skipSpecial && this.specialIds.has(id)) continue;
      total += this.tokenBytes(id).length;
    }
    const out = new Uint8Array(total);
    let n = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (options.skipSpecial && this.specialIds.has(id)) continue;
      const bytes = this.idBytes[id]!;
      out.set(bytes, n);
      n += bytes.length;
    }
    return out;
  }

  /**
   * Ids -> text. Lossless for ids from encode; ids that end inside a UTF-8 character (a cut-off
   * generation) give U+FFFD there, as Hugging Face's decode does. For streaming output, decode
   * tokenBytes with a streaming TextDecoder instead.
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    return utf8Decode(this.decodeBytes(ids, options));
  }

  /** The bytes one token stands for. Throws RangeError for an id that is not in the vocabulary. */
  tokenBytes(id: number): Uint8Array {
    const bytes = this.idBytes[id];
    if (bytes === undefined) throw new RangeError(`token id ${id} is not in the vocabulary (size ${this.vocabSize})`);
    return bytes;
  }

  /** A token's id: a byte-alphabet string ("Ġreturn") or an added token's content. */
  tokenToId(token: string): number | undefined {
    return this.tokenToIdMap.get(token);
  }

  /** An id's token: byte-alphabet form for vocabulary tokens, the content for added tokens. */
  idToToken(id: number): string | undefined {
    return this.idToTokenList[id];
  }

  /** The id of an added token (e.g. a FIM marker); throws naming it when it is missing. */
  addedTokenId(content: string): number {
    const id = this.addedIds.get(content);
    if (id === undefined) throw new Error(`this tokenizer has no added token ${JSON.stringify(content)}`);
    return id;
  }

  /** Every id's token string (undefined where ids are unused): what a GGUF file lists. */
  tokens(): (string | undefined)[] {
    return Array.from({ length: this.vocabSize }, (_, id) => this.idToTokenList[id]);
  }

  private encodeSegment(segment: string, out: number[]): void {
    const text = this.spec.normalizer ? segment.normalize(this.spec.normalizer) : segment;
    const re = this.pieceRe;
    re.lastIndex = 0;
    let last = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const piece = m[0];
      if (piece.length === 0) {
        // Only a custom pattern can match empty; step over one code point as splitPieces does.
        re.lastIndex = m.index + (text.codePointAt(m.index)! > 0xffff ? 2 : 1);
        continue;
      }
      if (m.index > last) this.encodePiece(text.slice(last, m.index), out);
      this.encodePiece(piece, out);
      last = m.index + piece.length;
    }
    if (last < text.length) this.encodePiece(text.slice(last), out);
  }

  private encodePiece(piece: string, out: number[]): void {
    const cached = this.cache.get(piece);
    if (cached !== undefined) {
      for (let i = 0; i < cached.length; i++) out.push(cached[i]!);
      return;
    }
    const ids = this.mergePiece(piece);
    if (piece.length <= MAX_CACHED_PIECE) {
      if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear();
      this.cache.set(piece, ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
  }

  private mergePiece(piece: string): Int32Array {
    if (this.spec.ignoreMerges) {
      const whole = this.wholePieceId(piece);
      if (whole !== undefined) return Int32Array.of(whole);
    }
    const need = piece.length * 3;
    if (this.scratch.length < need) {
      this.scratch = new Uint8Array(need);
      this.scratchIds = new Int32Array(need);
    }
    const n = utf8Into(piece, this.scratch);
    const ids = this.scratchIds;
    for (let i = 0; i < n; i++) ids[i] = this.byteIds[this.scratch[i]!]!;
    // mergeWord overwrites scratchIds and returns a fresh array, which the cache may keep.
    return mergeWord(ids, n, this.table);
  }

  private wholePieceId(piece: string): number | undefined {
    const bytes = utf8Encode(piece);
    let symbols = "";
    for (let i = 0; i < bytes.length; i++) symbols += BYTE_TO_CHAR[bytes[i]!]!;
    const id = this.spec.vocab.get(symbols);
    return id;
  }
}
