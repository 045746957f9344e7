// Chooses the held-out files while the files stream past, without knowing yet how many files
// will be kept: the kept files with the smallest split keys wait here (at most `capacity`, an
// upper bound of the final held-out count); a file pushed out by a smaller key is released
// for training. At the end the first K waiting files are held out and the rest train.
import type { KeptFile } from "./judge-file";
import { compareSplit } from "./split";

export interface Waiting {
  file: KeptFile;
  key: number;
}

export class HeldoutReservoir {
  /** Sorted by key, smallest first. */
  private readonly waiting: Waiting[] = [];

  constructor(private readonly capacity: number) {}

  /**
   * Offers a kept file. Returns the file that must train now: the offered one when its key is
   * too large to be held out, or the one it pushed out; null when nothing is released.
   */
  offer(file: KeptFile, key: number): Waiting | null {
    const entry = { file, key };
    if (this.capacity === 0) return entry;
    if (this.waiting.length === this.capacity && before(this.waiting[this.capacity - 1] as Waiting, entry)) return entry;
    let lo = 0;
    let hi = this.waiting.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(this.waiting[mid] as Waiting, entry)) lo = mid + 1;
      else hi = mid;
    }
    this.waiting.splice(lo, 0, entry);
    return this.waiting.length > this.capacity ? (this.waiting.pop() as Waiting) : null;
  }

  /** Empties the reservoir: the `count` smallest keys are held out, the others train. */
  drain(count: number): { heldout: Waiting[]; train: Waiting[] } {
    const all = this.waiting.splice(0);
    return { heldout: all.slice(0, count), train: all.slice(count) };
  }
}

function before(a: Waiting, b: Waiting): boolean {
  return compareSplit(a.key, a.file.path, b.key, b.file.path) < 0;
}
