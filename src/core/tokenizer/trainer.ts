/**
 * Training a byte-level BPE vocabulary on a corpus, the algorithm of Hugging Face's BpeTrainer:
 * count the pre-tokens, start from the 256 byte symbols, and repeatedly merge the most frequent
 * adjacent pair. Pair counts are updated incrementally (only the words that hold the merged pair
 * are touched) and the best pair comes from a max-heap with lazily corrected counts, so a few MB
 * of code train in seconds rather than the minutes a recount per merge would take.
 *
 * Deterministic: the result depends only on the multiset of pre-tokens, not on document order
 * or Map iteration order. Ties in count go to the pair of smaller ids (older tokens first, then
 * byte order), as in Hugging Face.
 */
import { SPECIAL_TOKENS } from "./special-tokens";
import { BYTE_TO_CHAR, BYTES_IN_ID_ORDER } from "./byte-alphabet";
import { compilePattern, QWEN2_PATTERN, splitPieces } from "./pretokenizer";
import { Tokenizer, type AddedToken } from "./tokenizer";
import { utf8Encode } from "./utf8";

export interface TrainProgress {
  readonly phase: "count" | "merge";
  /** count: documents read; merge: merges made. */
  readonly done: number;
  /** merge: the merges wanted (an upper bound); count: unknown (0). */
  readonly total: number;
}

export interface TrainOptions {
  /** Total vocabulary size, special tokens included (as Hugging Face counts it). */
  readonly vocabSize: number;
  /** Added as special tokens after the learned vocabulary. Default: DESIGN.md's seven. */
  readonly specialTokens?: readonly string[];
  /** A pair seen fewer times than this is never merged; training stops there. Default 2. */
  readonly minFrequency?: number;
  /** Longest token in bytes; merges that would make a longer one are skipped. Default: none. */
  readonly maxTokenBytes?: number;
  /** Pre-tokenizer pattern (Oniguruma syntax). Default: Qwen2's. */
  readonly pattern?: string;
  readonly onProgress?: (p: TrainProgress) => void;
  /** Stops training with an AbortError-named error (the worker's cancel). */
  readonly signal?: AbortSignal;
}

// Yield to the event loop this often, so the training worker still answers cancel and
// progress messages while the trainer runs.
const YIELD_MS = 50;
const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A word (distinct pre-token) as a sequence of token ids, with its count in the corpus. */
interface Word {
  syms: number[];
  count: number;
}

/**
 * A max-heap of (count, pair key): higher count first, then smaller key. Two parallel arrays
 * instead of objects keep millions of pushes cheap.
 */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];
  get size(): number {
    return this.keys.length;
  }
  private before(i: number, j: number): boolean {
    const ci = this.counts[i]!;
    const cj = this.counts[j]!;
    return ci > cj || (ci === cj && this.keys[i]! < this.keys[j]!);
  }
  private swap(i: number, j: number): void {
    const c = this.counts[i]!;
    this.counts[i] = this.counts[j]!;
    this.counts[j] = c;
    const k = this.keys[i]!;
    this.keys[i] = this.keys[j]!;
    this.keys[j] = k;
  }
  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.keys.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  /** Removes the top; returns [count, key]. */
  pop(): [number, number] {
    const top: [number, number] = [this.counts[0]!, this.keys[0]!];
    const lastC = this.counts.pop()!;
    const lastK = this.keys.pop()!;
    if (this.keys.length > 0) {
      this.counts[0] = lastC;
      this.keys[0] = lastK;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.keys.length && this.before(l, best)) best = l;
        if (r < this.keys.length && this.before(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }
}

/** Counts the distinct pre-tokens of a corpus. */
async function countPieces(corpus: Iterable<string> | AsyncIterable<string>, re: RegExp, options: TrainOptions): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let docs = 0;
  let lastYield = Date.now();
  for await (const doc of corpus) {
    for (const piece of splitPieces(doc, re)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
    docs++;
    if (Date.now() - lastYield > YIELD_MS) {
      options.onProgress?.({ phase: "count", done: docs, total: 0 });
      await yieldNow();
      options.signal?.throwIfAborted();
      lastYield = Date.now();
    }
  }
  options.onProgress?.({ phase: "count", done: docs, total: 0 });
  return counts;
}

/**
 * Trains a tokenizer on the documents of `corpus` (each a file's text, say; an async iterable
 * lets the caller stream files from disk). The vocabulary is: the 256 bytes (ids 0-255, in
 * GPT-2's order), the learned tokens in merge order, then the special tokens, so ids line up
 * with Qwen2's conventions (specials last).
 */
export async function trainBpe(corpus: Iterable<string> | AsyncIterable<string>, options: TrainOptions): Promise<Tokenizer> {
  const specials = [...(options.specialTokens ?? SPECIAL_TOKENS)];
  const minFrequency = Math.max(1, options.minFrequency ?? 2);
  const maxBytes = options.maxTokenBytes ?? Infinity;
  const pattern = options.pattern ?? QWEN2_PATTERN;
  const target = options.vocabSize - specials.length;
  if (!Number.isInteger(options.vocabSize) || target < 256) {
    throw new RangeError(`vocabSize ${options.vocabSize} is too small: it must hold the 256 bytes and ${specials.length} special tokens`);
  }
  if (new Set(specials).size !== specials.length) throw new Error("specialTokens has duplicates");
  const re = compilePattern(pattern);
  options.signal?.throwIfAborted();

  const pieceCounts = await countPieces(corpus, re, options);

  // Token table: id -> bytes (as alphabet string) and back.
  const tokens: string[] = BYTES_IN_ID_ORDER.map((b) => BYTE_TO_CHAR[b]!);
  const tokenIds = new Map<string, number>(tokens.map((t, id) => [t, id]));
  const byteId = new Int32Array(256);
  BYTES_IN_ID_ORDER.forEach((b, id) => (byteId[b] = id));
  const tokenLen: number[] = tokens.map(() => 1);

  const words: Word[] = [];
  for (const [piece, count] of pieceCounts) {
    const bytes = utf8Encode(piece);
    if (bytes.length < 2) continue; // a single byte has no pair to merge
    words.push({ syms: Array.from(bytes, (b) => byteId[b]!), count });
  }
  pieceCounts.clear();

  // Pair keys need a stride above every id the training can create.
  const stride = Math.max(target, 256) + 1;
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  for (let w = 0; w < words.length; w++) {
    const { syms, count } = words[w]!;
    for (let i = 0; i + 1 < syms.length; i++) {
      const key = syms[i]! * stride + syms[i + 1]!;
      pairCount.set(key, (pairCount.get(key) ?? 0) + count);
      let set = pairWords.get(key);
      if (set === undefined) pairWords.set(key, (set = new Set()));
      set.add(w);
    }
  }
  const heap = new PairHeap();
  for (const [key, count] of pairCount) heap.push(count, key);

  const merges: [string, string][] = [];
  const wanted = target - tokens.length;
  let lastYield = Date.now();
  const banned = new Set<number>();
  const add = (key: number, delta: number): void => {
    pairCount.set(key, (pairCount.get(key) ?? 0) + delta);
  };

  while (tokens.length < target && heap.size > 0) {
    const [count, key] = heap.pop();
    if (banned.has(key)) continue;
    const current = pairCount.get(key) ?? 0;
    if (count !== current) {
      // Stale: the pair lost occurrences to earlier merges. Requeue at its true count.
      if (current > 0) heap.push(current, key);
      continue;
    }
    if (count < minFrequency) break;
    const a = Math.floor(key / stride);
    const b = key - a * stride;
    if (tokenLen[a]! + tokenLen[b]! > maxBytes) {
      // Never merged; its counts stay correct so neighbouring merges can keep adjusting them,
      // and each stale heap entry of it is dropped here once.
      banned.add(key);
      continue;
    }
    const merged = tokens[a]! + tokens[b]!;
    // Two merge paths can build the same string ("ab"+"c", "a"+"bc"): reuse its id, as HF does.
    let c = tokenIds.get(merged);
    if (c === undefined) {
      c = tokens.length;
      tokens.push(merged);
      tokenLen.push(tokenLen[a]! + tokenLen[b]!);
      tokenIds.set(merged, c);
    }
    merges.push([tokens[a]!, tokens[b]!]);

    // Rewrite every word holding the pair, adjusting neighbour pair counts as Hugging Face's
    // Word::merge does; changes to pairs that involve c are collected to requeue at the end.
    const touched = new Set<number>();
    for (const w of pairWords.get(key)!) {
      const word = words[w]!;
      const s = word.syms;
      const n = word.count;
      let j = 0;
      for (let i = 0; i < s.length; ) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          if (j > 0) {
            const left = s[j - 1]!;
            add(left * stride + a, -n);
            const k = left * stride + c;
            add(k, n);
            touched.add(k);
            addWord(pairWords, k, w);
          }
          if (i + 2 < s.length) {
            const right = s[i + 2]!;
            add(b * stride + right, -n);
            const k = c * stride + right;
            add(k, n);
            touched.add(k);
            addWord(pairWords, k, w);
          }
          s[j++] = c;
          i += 2;
        } else {
          s[j++] = s[i++]!;
        }
      }
      s.length = j;
    }
    pairCount.delete(key);
    pairWords.delete(key);
    for (const k of touched) {
      const cnt = pairCount.get(k) ?? 0;
      if (cnt > 0) heap.push(cnt, k);
    }

    if (Date.now() - lastYield > YIELD_MS) {
      options.onProgress?.({ phase: "merge", done: merges.length, total: wanted });
      await yieldNow();
      options.signal?.throwIfAborted();
      lastYield = Date.now();
    }
  }
  options.onProgress?.({ phase: "merge", done: merges.length, total: wanted });

  const vocab = new Map<string, number>(tokens.map((t, id) => [t, id]));
  const addedTokens: AddedToken[] = specials.map((content, i) => ({ id: tokens.length + i, content, special: true, normalized: false }));
  // No normalizer: RepoTune's own tokenizers must give back exactly the bytes of the repo.
  return new Tokenizer({ vocab, merges, addedTokens, pattern, normalizer: null }, "trained tokenizer");
}

function addWord(pairWords: Map<number, Set<number>>, key: number, w: number): void {
  let set = pairWords.get(key);
  if (set === undefined) pairWords.set(key, (set = new Set()));
  set.add(w);
}
