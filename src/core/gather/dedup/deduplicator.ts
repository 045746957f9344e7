// Exact and near-duplicate removal as files stream past: the first file seen (in path order)
// stays, later copies are excluded with the path of the one they copy.
import type { ExcludedFile } from "../../store/dataset-manifest";
import { signatureFromBins } from "./minhash";
import { NearDuplicateIndex } from "./near-duplicate-index";

/** Files with fewer shingles than this are compared for exact duplicates only. */
export const NEAR_DUPLICATE_MIN_SHINGLES = 32;

export class Deduplicator {
  private readonly firstByDigest = new Map<string, string>();
  private readonly near = new NearDuplicateIndex();
  exact = 0;
  nearCount = 0;

  /** null when the file is new; otherwise why it is excluded. */
  check(path: string, digest: string, bins: Uint32Array, shingles: number): ExcludedFile | null {
    const original = this.firstByDigest.get(digest);
    if (original !== undefined) {
      this.exact++;
      return { path, reason: "exact-duplicate", detail: `same content as ${original}` };
    }
    this.firstByDigest.set(digest, path);
    const signature = signatureFromBins(bins, shingles, NEAR_DUPLICATE_MIN_SHINGLES);
    const similar = signature ? this.near.check(path, signature) : null;
    if (similar) {
      this.nearCount++;
      return { path, reason: "near-duplicate", detail: `${Math.round(similar.similarity * 100)}% similar to ${similar.original}` };
    }
    return null;
  }
}
