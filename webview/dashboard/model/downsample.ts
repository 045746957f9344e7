// Thins a series for drawing: a chart W pixels wide cannot show more than one column of
// points per pixel, so each pixel-wide bucket of x keeps only its lowest and highest point
// (in their original order). Spikes and dips survive, which LTTB or plain striding can
// drop, and the output is at most 2 points per bucket whatever the input length, so a run
// with 100,000 progress events redraws as fast as one with 1,000.

/**
 * Indices of the points to draw, ascending. `xs` must be non-decreasing (steps of a run);
 * points whose y is not finite (a gap) are skipped. At most 2 * buckets + 2 indices.
 */
export function downsampleMinMax(xs: ArrayLike<number>, ys: ArrayLike<number>, buckets: number): number[] {
  const n = Math.min(xs.length, ys.length);
  const out: number[] = [];
  let first = -1;
  let last = -1;
  let finiteCount = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(ys[i])) {
      if (first < 0) first = i;
      last = i;
      finiteCount++;
    }
  }
  if (first < 0) return out;
  if (buckets < 1 || finiteCount <= 2 * buckets + 2) {
    for (let i = first; i <= last; i++) if (Number.isFinite(ys[i])) out.push(i);
    return out;
  }
  const x0 = xs[first] as number;
  const span = (xs[last] as number) - x0;
  // All points at one x (a stalled step counter): bucket by position instead.
  const bucketOf = span > 0 ? (i: number) => Math.min(buckets - 1, Math.floor((((xs[i] as number) - x0) / span) * buckets)) : (i: number) => Math.min(buckets - 1, Math.floor(((i - first) / (last - first + 1)) * buckets));

  out.push(first);
  let current = -1;
  let minI = -1;
  let maxI = -1;
  const flush = () => {
    if (minI < 0) return;
    const a = Math.min(minI, maxI);
    const b = Math.max(minI, maxI);
    if (a !== first && a !== last) out.push(a);
    if (b !== a && b !== first && b !== last) out.push(b);
  };
  for (let i = first; i <= last; i++) {
    const y = ys[i] as number;
    if (!Number.isFinite(y)) continue;
    const b = bucketOf(i);
    if (b !== current) {
      flush();
      current = b;
      minI = maxI = i;
    } else {
      if (y < (ys[minI] as number)) minI = i;
      if (y > (ys[maxI] as number)) maxI = i;
    }
  }
  flush();
  if (last !== first) out.push(last);
  return out;
}
