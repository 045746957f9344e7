// The k most likely next tokens of one position, as log-probabilities under the full softmax:
// what distillation stores of the teacher (core/formats/teacher-targets), whether the logits
// come from tfjs or from llama.cpp.

/**
 * The top-k of a row of logits at temperature 1, as (ids, log-probs) in descending order
 * (ties: lower id first): what the teacher pass stores per position. Plain JS on values already
 * read back from the teacher; a size-k min-heap makes it O(V log k), which matters at V = 151k.
 */
export function topKLogProbs(logits: ArrayLike<number>, k: number): { ids: Int32Array; logProbs: Float32Array } {
  const v = logits.length;
  let max = -Infinity;
  for (let i = 0; i < v; i++) max = Math.max(max, logits[i]!);
  let z = 0;
  for (let i = 0; i < v; i++) z += Math.exp(logits[i]! - max);
  const logZ = Math.log(z) + max;
  const kk = Math.min(k, v);
  // heap[0] is the worst kept entry; "worse" = smaller logit, or equal logit and larger id.
  const heap = new Int32Array(kk);
  let size = 0;
  const worse = (a: number, b: number): boolean => logits[a]! < logits[b]! || (logits[a]! === logits[b]! && a > b);
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(heap[l]!, heap[m]!)) m = l;
      if (r < size && worse(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = 0; i < v; i++) {
    if (size < kk) {
      heap[size] = i;
      let c = size++;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (!worse(heap[c]!, heap[parent]!)) break;
        [heap[c], heap[parent]] = [heap[parent]!, heap[c]!];
        c = parent;
      }
    } else if (worse(heap[0]!, i)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  const order = Array.from(heap).sort((a, b) => logits[b]! - logits[a]! || a - b);
  const ids = new Int32Array(k).fill(-1);
  const logProbs = new Float32Array(k).fill(-Infinity);
  for (let j = 0; j < kk; j++) {
    ids[j] = order[j]!;
    logProbs[j] = logits[order[j]!]! - logZ;
  }
  return { ids, logProbs };
}
