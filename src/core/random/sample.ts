// Deterministic subsets: a stage that needs N records out of a large dataset keeps a seeded
// reservoir sample, so memory stays bounded by N and the same seed gives the same records.
import { seededRandom } from "./seeded-random";

/** A uniform sample of at most n items of a stream of unknown length (Algorithm R). */
export class Reservoir<T> {
  readonly kept: T[] = [];
  private seen = 0;
  private readonly random: () => number;

  constructor(
    readonly n: number,
    seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  push(item: T): void {
    this.seen++;
    if (this.kept.length < this.n) this.kept.push(item);
    else {
      const j = Math.floor(this.random() * this.seen);
      if (j < this.n) this.kept[j] = item;
    }
  }
}

export function reservoirSample<T>(items: Iterable<T>, n: number, seed: number): T[] {
  const r = new Reservoir<T>(n, seed);
  for (const item of items) r.push(item);
  return r.kept;
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
