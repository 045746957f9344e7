// Intervals and paired tests for per-item scores (one number per held-out probe), seeded so a
// report is the same on every run of the same data:
//   - a 95% percentile bootstrap interval of a mean (Efron), 2,000 resamples by default;
//   - a paired sign-flip permutation test of two models scored on the same items: under "no
//     difference" each item's difference is as likely negative as positive, so flipping signs
//     at random shows how often a mean difference this large arises by chance (two-sided p).
import { seededRandom } from "../random/seeded-random";

export type Interval = [low: number, high: number];

export interface ResamplingOptions {
  resamples?: number;
  seed?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

const mean = (values: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return values.length ? s / values.length : NaN;
};

/** The percentile bootstrap interval of the mean; null without values. */
export function bootstrapInterval(values: readonly number[], options: ResamplingOptions = {}): Interval | null {
  const n = values.length;
  if (n === 0) return null;
  const resamples = options.resamples ?? 2000;
  const random = seededRandom(options.seed ?? 0x5eed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[Math.floor(random() * n)]!;
    means[r] = s / n;
  }
  means.sort();
  const tail = (1 - (options.level ?? 0.95)) / 2;
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!;
  return [at(tail), at(1 - tail)];
}

export interface PairedComparison {
  /** mean(b) - mean(a) over the shared items. */
  delta: number;
  /** Two-sided p-value of the sign-flip permutation test (1 when every difference is 0). */
  p: number;
  items: number;
}

/** Compares two models' scores on the same items (a[i] and b[i] belong to one item). */
export function pairedTest(a: readonly number[], b: readonly number[], options: ResamplingOptions = {}): PairedComparison {
  if (a.length !== b.length) throw new Error(`pairedTest: ${a.length} and ${b.length} scores; the models must be scored on the same items`);
  const n = a.length;
  const d = Float64Array.from(a, (x, i) => b[i]! - x);
  const observed = mean(d);
  if (n === 0) return { delta: NaN, p: 1, items: 0 };
  const resamples = options.resamples ?? 2000;
  const random = seededRandom(options.seed ?? 0x5eed);
  let extreme = 0;
  const threshold = Math.abs(observed) - 1e-12;
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += random() < 0.5 ? -d[i]! : d[i]!;
    if (Math.abs(s / n) >= threshold) extreme++;
  }
  return { delta: observed, p: (extreme + 1) / (resamples + 1), items: n };
}
