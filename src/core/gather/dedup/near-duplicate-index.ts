// Finds near duplicates among files as they stream past: locality-sensitive hashing over the
// MinHash bins (10 bands of 6 bins), so each new file is compared only with the files that
// share a band, never with all files seen. Memory is typed arrays only, about 300 bytes per
// file kept (a 16-bit fingerprint per bin, and one slot per band in an open-addressing table),
// so a monorepo of hundreds of thousands of files still fits.
import { finalMix32 } from "../../random/seeded-random";
import { MINHASH_BINS } from "./minhash";

const BANDS = 10;
const ROWS = 6;

/** Estimated Jaccard similarity of shingle sets at or above which a file is a near duplicate. */
export const NEAR_DUPLICATE_SIMILARITY = 0.8;

export class NearDuplicateIndex {
  /** Per file, a 16-bit fingerprint of each bin: equal bins stay equal, unequal ones collide 1 in 65,536. */
  private fingerprints = new Uint16Array(MINHASH_BINS * 1024);
  private readonly names: string[] = [];
  /** Open addressing: band keys (0 = empty slot) and the first file (id + 1) that had each. */
  private keys = new Uint32Array(1 << 12);
  private owners = new Int32Array(1 << 12);
  private used = 0;

  /**
   * Returns the path of an earlier file this one nearly duplicates, or null; in the latter
   * case the file is added to the index so later files are compared with it.
   */
  check(path: string, signature: Uint32Array): { original: string; similarity: number } | null {
    const prints = new Uint16Array(MINHASH_BINS);
    for (let i = 0; i < MINHASH_BINS; i++) {
      const v = signature[i] as number;
      prints[i] = (v ^ (v >>> 16)) & 0xffff;
    }
    const bandKeys = new Uint32Array(BANDS);
    for (let band = 0; band < BANDS; band++) {
      let h = band + 1;
      for (let row = 0; row < ROWS; row++) h = Math.imul(h ^ (signature[band * ROWS + row] as number), 0x01000193);
      bandKeys[band] = finalMix32(h) || 1; // 0 marks an empty slot
      const owner = this.owners[this.slotOf(bandKeys[band] as number)] as number;
      if (owner === 0) continue;
      const similarity = this.similarity(prints, owner - 1);
      if (similarity >= NEAR_DUPLICATE_SIMILARITY) return { original: this.names[owner - 1] as string, similarity };
    }
    this.add(path, prints, bandKeys);
    return null;
  }

  private add(path: string, prints: Uint16Array, bandKeys: Uint32Array): void {
    const id = this.names.length;
    this.names.push(path);
    if ((id + 1) * MINHASH_BINS > this.fingerprints.length) {
      const grown = new Uint16Array(Math.ceil((this.fingerprints.length * 1.5) / MINHASH_BINS) * MINHASH_BINS);
      grown.set(this.fingerprints);
      this.fingerprints = grown;
    }
    this.fingerprints.set(prints, id * MINHASH_BINS);
    for (const key of bandKeys) {
      // Linear probing stays short up to about 70% full.
      if ((this.used + 1) * 10 > this.keys.length * 7) this.grow();
      const slot = this.slotOf(key);
      if (this.owners[slot] !== 0) continue; // the first file with this band keeps it
      this.keys[slot] = key;
      this.owners[slot] = id + 1;
      this.used++;
    }
  }

  /** The slot holding `key`, or the empty slot where it would go (linear probing). */
  private slotOf(key: number): number {
    const mask = this.keys.length - 1;
    let slot = key & mask;
    while (this.keys[slot] !== 0 && this.keys[slot] !== key) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const keys = this.keys;
    const owners = this.owners;
    this.keys = new Uint32Array(keys.length * 2);
    this.owners = new Int32Array(owners.length * 2);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === 0) continue;
      const slot = this.slotOf(keys[i] as number);
      this.keys[slot] = keys[i] as number;
      this.owners[slot] = owners[i] as number;
    }
  }

  private similarity(prints: Uint16Array, id: number): number {
    const base = id * MINHASH_BINS;
    let equal = 0;
    for (let i = 0; i < MINHASH_BINS; i++) if (prints[i] === this.fingerprints[base + i]) equal++;
    return equal / MINHASH_BINS;
  }
}
