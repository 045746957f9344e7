// Deterministic randomness: the same repository and seed give the same dataset, byte for byte,
// so a rerun that finds nothing changed lets the pipeline skip training again.

/** FNV-1a over the UTF-16 units of a string: fast, and well enough spread for seeding and bucketing. */
export function hashString32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return finalMix32(h);
}

/** murmur3's finaliser: spreads every input bit over the output. */
export function finalMix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: a small, fast generator; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator for one file: its choices do not change when other files are added or removed. */
export function randomForFile(seed: number, path: string, purpose: string): () => number {
  return seededRandom(hashString32(`${purpose}\0${path}`, (seed ^ 0x811c9dc5) >>> 0));
}

/** An integer in [min, max], inclusive. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
