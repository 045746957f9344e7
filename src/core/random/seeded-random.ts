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

/**
 * FNV-1a of a name mixed with a seed, without the final mix: one independent stream per
 * parameter name for weight initialisation (kept as it was, so seeded models stay the same).
 */
export function hashSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * `n` samples of N(0, std^2) by Box-Muller. Model initialisation draws its numbers here, not
 * from tfjs's random ops, which differ between backends and are not seedable per op on all.
 */
export function normalArray(n: number, std: number, rand: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // 1 - u keeps log() away from 0.
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
