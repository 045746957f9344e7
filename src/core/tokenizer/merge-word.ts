/**
 * Applying BPE merges to one pre-token: the lowest-ranked adjacent pair merges first, the leftmost
 * on a tie, until no adjacent pair has a merge. Hugging Face (Word::merge_all), llama.cpp and
 * GPT-2 all give this result. A binary heap keyed by (rank, position) over a linked list of
 * symbols makes it O(n log n), so a long pre-token (a run of spaces, a base64 blob) cannot
 * stall the encoder the way rescanning all pairs after every merge (O(n^2)) would.
 */

/** The merge table, keyed by pair: key = left * stride + right. */
export interface MergeTable {
  /** pair key -> rank (the merge's index in tokenizer.json's merges). */
  readonly ranks: ReadonlyMap<number, number>;
  /** rank -> id of the merged token. */
  readonly results: Int32Array;
  /** Greater than every id that merges use (the model vocabulary's size). */
  readonly stride: number;
}

/**
 * Merges `ids[0..n)` in place and returns the resulting ids. `ids` holds the ids of the
 * pre-token's bytes.
 */
export function mergeWord(ids: Int32Array, n: number, table: MergeTable): Int32Array {
  if (n < 2) return ids.slice(0, n);
  const { ranks, results, stride } = table;
  if (n === 2) {
    const r = ranks.get(ids[0]! * stride + ids[1]!);
    return r === undefined ? ids.slice(0, 2) : Int32Array.of(results[r]!);
  }
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  // Entries are rank * n + position: one number orders by rank, then leftmost position. Ranks
  // (< 2^24) times positions (a pre-token's bytes) stay far below 2^53, so the key is exact.
  // Each merge pushes at most two entries, so 3n slots always suffice.
  const heap = new Float64Array(3 * n);
  let size = 0;
  const push = (key: number): void => {
    let i = size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p <= key) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = key;
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap[--size]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      const c = r < size && heap[r]! < heap[l]! ? r : l;
      if (heap[c]! >= last) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
    return top;
  };

  for (let i = 0; i + 1 < n; i++) {
    const r = ranks.get(ids[i]! * stride + ids[i + 1]!);
    if (r !== undefined) push(r * n + i);
  }
  let count = n;
  while (size > 0) {
    const key = pop();
    const rank = Math.floor(key / n);
    const pos = key - rank * n;
    const right = next[pos]!;
    // Skip stale entries: the left symbol was absorbed, or the pair here is no longer this one.
    if (ids[pos]! < 0 || right < 0) continue;
    if (ranks.get(ids[pos]! * stride + ids[right]!) !== rank) continue;
    ids[pos] = results[rank]!;
    ids[right] = -1;
    const after = next[right]!;
    next[pos] = after;
    if (after >= 0) prev[after] = pos;
    count--;
    const before = prev[pos]!;
    if (before >= 0) {
      const r = ranks.get(ids[before]! * stride + ids[pos]!);
      if (r !== undefined) push(r * n + before);
    }
    if (after >= 0) {
      const r = ranks.get(ids[pos]! * stride + ids[after]!);
      if (r !== undefined) push(r * n + pos);
    }
  }
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i >= 0; i = next[i]!) out[k++] = ids[i]!;
  return out;
}
