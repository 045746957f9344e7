// The held-out split, by file: each file gets a seeded hash of its path (its split key), and
// the files with the smallest keys are held out (gather-files.ts). Deterministic: the same
// files and seed give the same split. Stable: a new file moves at most one file across the
// line, so evaluation stays comparable from one gathering to the next.
import { hashString32 } from "../random/seeded-random";

export interface SplitSettings {
  seed: number;
  fraction: number;
  min: number;
  max: number;
}

/**
 * How many of `total` files are held out: the fraction, at least `min` (but never more than a
 * quarter of the files for that floor: a small repository must keep most files to train on),
 * at least one, at most `max`, and never all of them.
 */
export function heldoutCount(total: number, settings: SplitSettings): number {
  if (total < 2) return 0; // one file: train on it, there is nothing left to evaluate on
  const wanted = Math.round(total * settings.fraction);
  const floor = Math.max(1, Math.min(settings.min, Math.floor(total / 4)));
  return Math.min(total - 1, settings.max, Math.max(floor, wanted));
}

/** A 53-bit key from two seeded 32-bit hashes (ties, vanishingly rare, are broken by path). */
export function splitKey(seed: number, path: string): number {
  const high = hashString32(path, (seed * 0x9e3779b1) >>> 0);
  const low = hashString32(path, (seed ^ 0x5bd1e995) >>> 0);
  return high * 2 ** 21 + (low >>> 11);
}

export function compareSplit(aKey: number, aPath: string, bKey: number, bPath: string): number {
  if (aKey !== bKey) return aKey - bKey;
  return aPath < bPath ? -1 : aPath > bPath ? 1 : 0;
}
