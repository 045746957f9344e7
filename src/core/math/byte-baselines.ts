// Yardsticks for held-out loss, in bits per byte. A trained model's loss in nats per token
// means little on its own: tokenizers differ, and a low number can just mean the held-out
// files are repetitive. Measured on the same UTF-8 bytes, a byte unigram (what a model knows
// when it knows only which characters code uses) and a byte 4-gram (local patterns: keywords,
// indentation, common identifiers) bracket that: a trained code model that does not beat the
// byte 4-gram on held-out files has learnt little beyond what counting a few bytes back gives.
//
// Speed and memory, measured on one core with Node 20.20 on JavaScript/TypeScript files from
// node_modules at order 4: fitting 10 MB takes about 0.85 s (the unigram 0.03 s) and scoring
// 10 MB about 1.2 s; 32 MiB fits in about 2.8 s with about 20 MB of count tables. The worst
// case is 32 MiB of random bytes, with no repeated contexts: about 15 s and about 600 MB RSS.

import { finalMix32 } from "../random/seeded-random";

/** A model's mean loss over some held-out bytes; NaN bits when there were no bytes. */
export interface BitsPerByte {
  bitsPerByte: number;
  bytes: number;
}

export interface ByteNgramOptions {
  /** Training bytes to count before the rest is ignored (default 32 MiB): bounds memory and time. */
  maxTrainBytes?: number;
}

const LOG2E = Math.LOG2E;
const UNIFORM = 1 / 256;
/** Context symbol before the first byte of a text: 257 symbols, so a context never collides with bytes. */
const BOUNDARY = 256;
const BASE = 257;
/** Keys are exact doubles: 257^(order-1) contexts x 257 slots must stay below 2^53, so order <= 6. */
const MAX_ORDER = 6;
const DEFAULT_MAX_TRAIN_BYTES = 32 * 1024 * 1024;

const encoder = new TextEncoder();

/** Byte frequencies with add-one smoothing: the floor that any model of code should clear. */
export class UnigramModel {
  private readonly counts: Float64Array;
  readonly trainBytes: number;

  constructor(counts: Float64Array) {
    this.counts = counts;
    let n = 0;
    for (let b = 0; b < 256; b++) n += counts[b]!;
    this.trainBytes = n;
  }

  /** p(byte) = (count + 1) / (bytes + 256): a byte never seen in training still costs a finite amount. */
  probability(next: number): number {
    return (this.counts[next]! + 1) / (this.trainBytes + 256);
  }

  /** Bits of `target`'s bytes (a unigram ignores what comes before). */
  bitsOf(_context: string, target: string): BitsPerByte {
    return this.bitsPerByte([target]);
  }

  bitsPerByte(texts: Iterable<string>): BitsPerByte {
    const logP = new Float64Array(256);
    for (let b = 0; b < 256; b++) logP[b] = Math.log2(this.probability(b));
    let bits = 0;
    let bytes = 0;
    for (const text of texts) {
      const data = encoder.encode(text);
      for (let i = 0; i < data.length; i++) bits -= logP[data[i]!]!;
      bytes += data.length;
    }
    return { bitsPerByte: bytes > 0 ? bits / bytes : NaN, bytes };
  }
}

export function fitUnigram(trainTexts: Iterable<string>): UnigramModel {
  const counts = new Float64Array(256);
  for (const text of trainTexts) {
    const data = encoder.encode(text);
    for (let i = 0; i < data.length; i++) counts[data[i]!]!++;
  }
  return new UnigramModel(counts);
}

/**
 * Open addressing over exact numeric keys, with `width` uint32 counters per key. Not a JS Map:
 * V8's Map stops at 2^24 entries (a 32 MiB random file has more 4-grams than that) and boxes
 * every key above 2^31, which is most of ours; typed arrays keep a slot at 8 + 4*width bytes.
 */
class CountTable {
  private keys: Float64Array;
  values: Uint32Array;
  private mask: number;
  size = 0;

  constructor(
    private readonly width: number,
    capacity = 1 << 12,
  ) {
    this.keys = new Float64Array(capacity).fill(-1);
    this.values = new Uint32Array(capacity * width);
    this.mask = capacity - 1;
  }

  private static hash(key: number): number {
    // key < 2^53: split into the low 32 bits and the rest, both exact.
    return finalMix32((key >>> 0) ^ Math.imul((key / 4294967296) >>> 0, 0x9e3779b1));
  }

  /** The slot of `key`, or -1. */
  find(key: number): number {
    const keys = this.keys;
    let i = CountTable.hash(key) & this.mask;
    for (;;) {
      const k = keys[i]!;
      if (k === key) return i;
      if (k === -1) return -1;
      i = (i + 1) & this.mask;
    }
  }

  /** The slot of `key`, inserted with zero counters if absent. */
  slot(key: number): number {
    const keys = this.keys;
    let i = CountTable.hash(key) & this.mask;
    for (;;) {
      const k = keys[i]!;
      if (k === key) return i;
      if (k === -1) break;
      i = (i + 1) & this.mask;
    }
    // Grow at 70 % full: linear probing stays short there, and memory stays under 2x the entries.
    if ((this.size + 1) * 10 > (this.mask + 1) * 7) {
      this.grow();
      return this.slot(key);
    }
    keys[i] = key;
    this.size++;
    return i;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const w = this.width;
    const capacity = (this.mask + 1) * 2;
    this.keys = new Float64Array(capacity).fill(-1);
    this.values = new Uint32Array(capacity * w);
    this.mask = capacity - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const key = oldKeys[j]!;
      if (key === -1) continue;
      let i = CountTable.hash(key) & this.mask;
      while (this.keys[i] !== -1) i = (i + 1) & this.mask;
      this.keys[i] = key;
      for (let v = 0; v < w; v++) this.values[i * w + v] = oldValues[j * w + v]!;
    }
  }
}

/**
 * Byte n-gram with Witten-Bell interpolation: at each context length k,
 *   p_k(w | h) = (c(h, w) + t(h) * p_{k-1}(w | h')) / (c(h) + t(h)),
 * t(h) the number of distinct bytes seen after h, down to the unigram, which interpolates the
 * same way with the uniform 1/256. Witten-Bell needs no discount tuning and no held-out data,
 * and each level sums to 1 by construction, so every context gives a proper distribution with
 * every byte > 0, whatever the training set missed.
 */
export class ByteNgramModel {
  /** Bytes counted: at most maxTrainBytes. */
  trainBytes = 0;
  /** True when training text past maxTrainBytes was ignored. */
  truncated = false;
  private readonly unigram = new Float64Array(256);
  private unigramDistinct = 0;
  // Level k (1..order-1): pairs keyed ctx*257 + next with one counter c(h, w); contexts keyed
  // ctx with two counters, c(h) and t(h). ctx is the last k symbols in base 257, newest lowest.
  private readonly pairs: CountTable[] = [];
  private readonly contexts: CountTable[] = [];

  constructor(
    readonly order: number,
    private readonly maxTrainBytes: number,
  ) {
    for (let k = 1; k < order; k++) {
      this.pairs.push(new CountTable(1));
      this.contexts.push(new CountTable(2));
    }
  }

  train(text: string): void {
    if (this.truncated) return;
    let data = encoder.encode(text);
    const room = this.maxTrainBytes - this.trainBytes;
    if (data.length > room) {
      data = data.subarray(0, room);
      this.truncated = true;
    }
    this.trainBytes += data.length;
    const levels = this.order - 1;
    // history[j] is the symbol j+1 places back; the boundary pads the start of every text.
    const history = new Array<number>(levels).fill(BOUNDARY);
    const unigram = this.unigram;
    for (let i = 0; i < data.length; i++) {
      const next = data[i]!;
      if (unigram[next]!++ === 0) this.unigramDistinct++;
      let ctx = 0;
      let place = 1;
      for (let k = 0; k < levels; k++) {
        ctx += history[k]! * place;
        place *= BASE;
        const pairs = this.pairs[k]!;
        const contexts = this.contexts[k]!;
        const p = pairs.slot(ctx * BASE + next);
        const c = contexts.slot(ctx);
        contexts.values[2 * c]!++;
        if (pairs.values[p]!++ === 0) contexts.values[2 * c + 1]!++;
      }
      for (let k = levels - 1; k > 0; k--) history[k] = history[k - 1]!;
      if (levels > 0) history[0] = next;
    }
  }

  /**
   * p(next | context): `context` is the text's bytes so far (only the last order-1 are used);
   * when it is shorter, the missing bytes are the start-of-text boundary, as in training.
   */
  probability(context: Uint8Array, next: number): number {
    const levels = this.order - 1;
    const history = new Array<number>(levels);
    for (let j = 0; j < levels; j++) {
      const at = context.length - 1 - j;
      history[j] = at >= 0 ? context[at]! : BOUNDARY;
    }
    return this.interpolate(history, next);
  }

  private interpolate(history: readonly number[], next: number): number {
    const n = this.trainBytes;
    const t0 = this.unigramDistinct;
    let p = n > 0 ? (this.unigram[next]! + t0 * UNIFORM) / (n + t0) : UNIFORM;
    let ctx = 0;
    let place = 1;
    for (let k = 0; k < history.length; k++) {
      ctx += history[k]! * place;
      place *= BASE;
      const contexts = this.contexts[k]!;
      const c = contexts.find(ctx);
      // A context never seen longer than this one is never seen either.
      if (c < 0) break;
      const total = contexts.values[2 * c]!;
      const distinct = contexts.values[2 * c + 1]!;
      const pairs = this.pairs[k]!;
      const s = pairs.find(ctx * BASE + next);
      const count = s < 0 ? 0 : pairs.values[s]!;
      p = (count + distinct * p) / (total + distinct);
    }
    return p;
  }

  bitsPerByte(texts: Iterable<string>): BitsPerByte {
    const levels = this.order - 1;
    const history = new Array<number>(levels);
    let nats = 0;
    let bytes = 0;
    for (const text of texts) {
      const data = encoder.encode(text);
      history.fill(BOUNDARY);
      for (let i = 0; i < data.length; i++) {
        const next = data[i]!;
        nats -= Math.log(this.interpolate(history, next));
        for (let k = levels - 1; k > 0; k--) history[k] = history[k - 1]!;
        if (levels > 0) history[0] = next;
      }
      bytes += data.length;
    }
    return { bitsPerByte: bytes > 0 ? (nats * LOG2E) / bytes : NaN, bytes };
  }

  /**
   * Bits of `target`'s bytes given the text before it (only its last order-1 bytes matter):
   * the yardstick of a model's held-out loss on a completion given its prefix.
   */
  bitsOf(context: string, target: string): BitsPerByte {
    const levels = this.order - 1;
    const history = new Array<number>(levels).fill(BOUNDARY);
    const before = encoder.encode(context.slice(-4 * Math.max(1, levels)));
    for (let j = 0; j < levels && j < before.length; j++) history[j] = before[before.length - 1 - j]!;
    const data = encoder.encode(target);
    let nats = 0;
    for (let i = 0; i < data.length; i++) {
      const next = data[i]!;
      nats -= Math.log(this.interpolate(history, next));
      for (let k = levels - 1; k > 0; k--) history[k] = history[k - 1]!;
      if (levels > 0) history[0] = next;
    }
    return { bitsPerByte: data.length > 0 ? (nats * LOG2E) / data.length : NaN, bytes: data.length };
  }
}

export function fitByteNgram(trainTexts: Iterable<string>, order = 4, options: ByteNgramOptions = {}): ByteNgramModel {
  if (!Number.isInteger(order) || order < 1 || order > MAX_ORDER) {
    throw new RangeError(`byte n-gram order must be an integer in 1..${MAX_ORDER}, got ${order}`);
  }
  const maxTrainBytes = options.maxTrainBytes ?? DEFAULT_MAX_TRAIN_BYTES;
  if (!(maxTrainBytes >= 0)) throw new RangeError(`maxTrainBytes must be >= 0, got ${maxTrainBytes}`);
  const model = new ByteNgramModel(order, maxTrainBytes);
  for (const text of trainTexts) {
    model.train(text);
    // Stop pulling texts once full: the iterable may be a lazy walk over a large repository.
    if (model.truncated) break;
  }
  return model;
}

/**
 * A language model's mean cross-entropy (nats per token, over `tokens` tokens that cover
 * `bytes` UTF-8 bytes) in bits per byte, the unit the baselines above use: total nats over
 * total bytes, in base 2. NaN when there are no bytes.
 */
export function lmLossToBitsPerByte(natsPerToken: number, tokens: number, bytes: number): number {
  if (!(bytes > 0)) return NaN;
  return (natsPerToken * tokens) / (bytes * Math.LN2);
}
