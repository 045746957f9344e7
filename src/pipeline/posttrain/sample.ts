// Deterministic subsets: a stage that needs N records out of a large dataset keeps a seeded
// reservoir sample, so memory stays bounded by N and the same seed gives the same records.
import { seededRandom } from "../../core/gather/text/seeded-random";

export function reservoirSample<T>(items: Iterable<T>, n: number, seed: number): T[] {
  const random = seededRandom(seed);
  const kept: T[] = [];
  let seen = 0;
  for (const item of items) {
    seen++;
    if (kept.length < n) kept.push(item);
    else {
      const j = Math.floor(random() * seen);
      if (j < n) kept[j] = item;
    }
  }
  return kept;
}

/** A seeded Fisher-Yates shuffle (a copy). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
