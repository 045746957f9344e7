/**
 * Applying BPE merges to one pre-token: the lowest-ranked adjacent pair merges first, the leftmost
 * on a tie, until no adjacent pair has a merge. Hugging Face (Word::merge_all), llama.cpp and
 * GPT-2 all give this result. A binary heap keyed by (rank, position) over a linked list of
 * symbols makes it O(n log n), so a long pre-token (a run of spaces, a base64 blob) cannot
 * stall the encoder the way rescanning all pairs after every merge (O(n^2)) would.
 *
 * This is the encoder's cache-miss path, so it allocates nothing but its result: the pair table
 * is an open-addressing hash over typed arrays (a Map keyed by left * vocab + right would hash
 * heap-allocated doubles once a vocabulary passes ~46k), and the scratch arrays are reused.
 */

/** Pair of token ids -> merge rank, as an open-addressing hash table (linear probing). */
export class PairTable {
  readonly size: number;
  private readonly mask: number;
  private readonly lefts: Int32Array;
  private readonly rights: Int32Array;
  private readonly ranks: Int32Array;

  /** `pairs[rank]` = [left, right]; a repeated pair keeps its first (lowest) rank, as HF does. */
  constructor(pairs: readonly (readonly [number, number])[]) {
    let cap = 16;
    while (cap < pairs.length * 2) cap *= 2;
    this.mask = cap - 1;
    this.lefts = new Int32Array(cap).fill(-1);
    this.rights = new Int32Array(cap);
    this.ranks = new Int32Array(cap);
    let size = 0;
    pairs.forEach(([a, b], rank) => {
      let i = PairTable.hash(a, b) & this.mask;
      for (;;) {
        if (this.lefts[i] === -1) {
          this.lefts[i] = a;
          this.rights[i] = b;
          this.ranks[i] = rank;
          size++;
          return;
        }
        if (this.lefts[i] === a && this.rights[i] === b) return;
        i = (i + 1) & this.mask;
      }
    });
    this.size = size;
  }

  private static hash(a: number, b: number): number {
    // Multiplicative mixing of both ids; Math.imul keeps it in 32-bit integer arithmetic.
    return Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  }

  /** The pair's rank, or -1 when the two tokens do not merge. */
  get(a: number, b: number): number {
    let i = PairTable.hash(a, b) & this.mask;
    for (;;) {
      const l = this.lefts[i]!;
      if (l === -1) return -1;
      if (l === a && this.rights[i] === b) return this.ranks[i]!;
      i = (i + 1) & this.mask;
    }
  }
}

/** The merge table: which pairs merge, at which rank, into which token. */
export interface MergeTable {
  readonly pairs: PairTable;
  /** rank -> id of the merged token. */
  readonly results: Int32Array;
}

// Scratch space shared by all calls: JavaScript runs one mergeWord at a time, and it does not
// call out while using them.
let next = new Int32Array(64);
let prev = new Int32Array(64);
let heap = new Float64Array(192);

/**
 * Merges `ids[0..n)` (the ids of a pre-token's bytes) in place and returns the resulting ids in
 * a new array.
 */
export function mergeWord(ids: Int32Array, n: number, table: MergeTable): Int32Array {
  const { pairs, results } = table;
  if (n < 2) return ids.slice(0, n);
  if (n === 2) {
    const r = pairs.get(ids[0]!, ids[1]!);
    return r < 0 ? ids.slice(0, 2) : Int32Array.of(results[r]!);
  }
  if (next.length < n) {
    next = new Int32Array(n * 2);
    prev = new Int32Array(n * 2);
    heap = new Float64Array(n * 6);
  }
  const nx = next;
  const pv = prev;
  const h = heap;
  // Entries are rank * n + position: one number orders by rank, then leftmost position. Ranks
  // (< 2^24) times positions (a pre-token's bytes) stay far below 2^53, so the key is exact.
  // Each merge pushes at most two entries, so 3n slots always suffice.
  let size = 0;
  for (let i = 0; i < n; i++) {
    nx[i] = i + 1 < n ? i + 1 : -1;
    pv[i] = i - 1;
    if (i + 1 < n) {
      const r = pairs.get(ids[i]!, ids[i + 1]!);
      if (r >= 0) size = heapPush(h, size, r * n + i);
    }
  }
  let count = n;
  while (size > 0) {
    const key = h[0]!;
    size = heapPop(h, size);
    const rank = Math.floor(key / n);
    const pos = key - rank * n;
    const right = nx[pos]!;
    // Skip stale entries: the left symbol was absorbed, or the pair here is no longer this one.
    if (ids[pos]! < 0 || right < 0) continue;
    if (pairs.get(ids[pos]!, ids[right]!) !== rank) continue;
    ids[pos] = results[rank]!;
    ids[right] = -1;
    const after = nx[right]!;
    nx[pos] = after;
    if (after >= 0) pv[after] = pos;
    count--;
    const before = pv[pos]!;
    if (before >= 0) {
      const r = pairs.get(ids[before]!, ids[pos]!);
      if (r >= 0) size = heapPush(h, size, r * n + before);
    }
    if (after >= 0) {
      const r = pairs.get(ids[pos]!, ids[after]!);
      if (r >= 0) size = heapPush(h, size, r * n + pos);
    }
  }
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i >= 0; i = nx[i]!) out[k++] = ids[i]!;
  return out;
}

/** Min-heap push; returns the new size. */
function heapPush(h: Float64Array, size: number, key: number): number {
  let i = size;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = h[parent]!;
    if (p <= key) break;
    h[i] = p;
    i = parent;
  }
  h[i] = key;
  return size + 1;
}

/** Removes the minimum (h[0]); returns the new size. */
function heapPop(h: Float64Array, size: number): number {
  const last = h[--size]!;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= size) break;
    const r = l + 1;
    const c = r < size && h[r]! < h[l]! ? r : l;
    if (h[c]! >= last) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = last;
  return size;
}
