// MinHash signatures by one-permutation hashing: each shingle hash falls in one of 64 bins by
// its top bits and the bin keeps its smallest value. One hash per shingle instead of 64 makes
// near-duplicate detection cheap enough to run on every file at gathering speed; empty bins
// are filled from their neighbours ("densification") so short files still compare fairly.
// The shingles themselves come from byte-scan.ts.

export const MINHASH_BINS = 64;
const BIN_SHIFT = 26; // 32 - log2(64)
const VALUE_MASK = (1 << BIN_SHIFT) - 1;
export const EMPTY_BIN = 0xffffffff;

/** Keeps the shingle's value if it is the smallest its bin has seen. */
export function recordShingle(bins: Uint32Array, hash: number): void {
  const bin = hash >>> BIN_SHIFT;
  const value = hash & VALUE_MASK;
  if (value < (bins[bin] as number)) bins[bin] = value;
}

/** The signature from a scan's bins, or null when the file had fewer shingles than `minShingles`. */
export function signatureFromBins(bins: Uint32Array, shingles: number, minShingles: number): Uint32Array | null {
  if (shingles < minShingles || shingles === 0) return null;
  const signature = bins.slice();
  densify(signature);
  return signature;
}

/** Each empty bin takes the value of the next non-empty bin to its right, offset by the distance. */
function densify(signature: Uint32Array): void {
  for (let bin = 0; bin < MINHASH_BINS; bin++) {
    if (signature[bin] !== EMPTY_BIN) continue;
    for (let step = 1; step < MINHASH_BINS; step++) {
      const donor = signature[(bin + step) % MINHASH_BINS] as number;
      if (donor !== EMPTY_BIN && donor <= VALUE_MASK) {
        // Outside the value range, so it never equals a real minimum of another file's bin.
        signature[bin] = (donor + step * (VALUE_MASK + 1)) >>> 0;
        break;
      }
    }
  }
}

/** Estimated Jaccard similarity of the two texts' shingle sets: the share of equal bins. */
export function signatureSimilarity(a: Uint32Array, b: Uint32Array, bOffset = 0): number {
  let equal = 0;
  for (let i = 0; i < MINHASH_BINS; i++) if (a[i] === b[bOffset + i]) equal++;
  return equal / MINHASH_BINS;
}
