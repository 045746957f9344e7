// The lines of the training files, as a set of 32-bit hashes of their normalised text, so a
// held-out probe whose line also occurs in training (a licence header, a repeated import) is
// not counted as a test of the model: it could be learnt by heart. Open addressing in a typed
// array: 4 bytes a distinct line at most half full, whatever the repository's size. A hash
// collision can only drop a probe that did not occur in training (one in 4 billion a line).
import { hashString32 } from "../../random/seeded-random";

/** Whitespace-insensitive: indentation and spacing do not make a line new. */
export function normaliseLine(line: string): string {
  return line.trim().replace(/\s+/g, " ");
}

export class LineHashSet {
  private table = new Uint32Array(1 << 12);
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(line: string): void {
    const h = this.hashOf(line);
    if (h === 0) return;
    if (2 * (this.count + 1) > this.table.length) this.grow();
    if (this.insert(this.table, h)) this.count++;
  }

  has(line: string): boolean {
    const h = this.hashOf(line);
    if (h === 0) return false;
    const mask = this.table.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = this.table[i]!;
      if (v === 0) return false;
      if (v === h) return true;
    }
  }

  /** 0 marks an empty slot, so no line hashes to it; a blank line is never stored. */
  private hashOf(line: string): number {
    const text = normaliseLine(line);
    if (text === "") return 0;
    return hashString32(text) || 1;
  }

  private insert(table: Uint32Array, h: number): boolean {
    const mask = table.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = table[i]!;
      if (v === h) return false;
      if (v === 0) {
        table[i] = h;
        return true;
      }
    }
  }

  private grow(): void {
    const next = new Uint32Array(this.table.length * 2);
    for (const v of this.table) if (v !== 0) this.insert(next, v);
    this.table = next;
  }
}
