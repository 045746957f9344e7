// Finds near duplicates among files as they stream past: locality-sensitive hashing over the
// MinHash bins (10 bands of 6 bins), so each new file is compared only with the files that
// share a band, never with all files seen. Memory per file: its 256-byte signature plus one
// map entry per band.
import { finalMix32 } from "../text/seeded-random";
import { MINHASH_BINS, signatureSimilarity } from "./minhash";

const BANDS = 10;
const ROWS = 6;

/** Estimated Jaccard similarity of shingle sets at or above which a file is a near duplicate. */
export const NEAR_DUPLICATE_SIMILARITY = 0.8;

export class NearDuplicateIndex {
  private signatures = new Uint32Array(MINHASH_BINS * 256);
  private readonly names: string[] = [];
  private readonly bands: Map<number, number>[] = Array.from({ length: BANDS }, () => new Map());

  /**
   * Returns the path of an earlier file this one nearly duplicates, or null; in the latter
   * case the file is added to the index so later files are compared with it.
   */
  check(path: string, signature: Uint32Array): { original: string; similarity: number } | null {
    const keys: number[] = [];
    for (let band = 0; band < BANDS; band++) {
      let h = band + 1;
      for (let row = 0; row < ROWS; row++) h = Math.imul(h ^ (signature[band * ROWS + row] as number), 0x01000193);
      const key = finalMix32(h);
      keys.push(key);
      const candidate = this.bands[band]?.get(key);
      if (candidate === undefined) continue;
      const similarity = signatureSimilarity(signature, this.signatures, candidate * MINHASH_BINS);
      if (similarity >= NEAR_DUPLICATE_SIMILARITY) return { original: this.names[candidate] as string, similarity };
    }
    const id = this.names.length;
    this.names.push(path);
    if ((id + 1) * MINHASH_BINS > this.signatures.length) {
      const grown = new Uint32Array(this.signatures.length * 2);
      grown.set(this.signatures);
      this.signatures = grown;
    }
    this.signatures.set(signature, id * MINHASH_BINS);
    keys.forEach((key, band) => {
      const map = this.bands[band] as Map<number, number>;
      if (!map.has(key)) map.set(key, id);
    });
    return null;
  }
}
