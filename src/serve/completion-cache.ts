// An LRU cache of finished suggestions keyed on (prefix, suffix, mode), which also serves
// type-through: when the user types the first characters of a cached suggestion, the rest
// of it is still the suggestion (llama.vscode and Copilot do the same), so no model call.
import type { CompletionMode } from "../core/completion";

export interface CacheHit {
  text: string;
  /** Characters of the cached suggestion the user has typed since (0 for an exact hit). */
  typed: number;
  /** The filter held this place's suggestion back: text is "", and a repeat of the request is held back again. */
  heldBack?: boolean;
}

interface Entry {
  prefix: string;
  suffix: string;
  mode: CompletionMode;
  text: string;
  heldBack: boolean;
}

const keyOf = (prefix: string, suffix: string, mode: CompletionMode): string => `${mode}\u0000${suffix.length}\u0000${suffix}\u0000${prefix}`;

export class CompletionCache {
  // A Map iterates in insertion order: re-inserting on use makes the first key the oldest.
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly capacity = 256,
    /** Longest run of typed characters a cached suggestion still serves. */
    readonly maxTypeThrough = 256,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  set(prefix: string, suffix: string, mode: CompletionMode, text: string, heldBack = false): void {
    const key = keyOf(prefix, suffix, mode);
    this.entries.delete(key);
    this.entries.set(key, { prefix, suffix, mode, text, heldBack: heldBack && text === "" });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get(prefix: string, suffix: string, mode: CompletionMode): CacheHit | undefined {
    const key = keyOf(prefix, suffix, mode);
    const exact = this.entries.get(key);
    if (exact) {
      this.touch(key, exact);
      return { text: exact.text, typed: 0, ...(exact.heldBack ? { heldBack: true } : {}) };
    }
    // Type-through: an entry whose prefix plus the start of its suggestion is this prefix.
    // Cheap tests first: lengths, then the few typed characters; the long prefix comparison
    // (=== is a memory compare; startsWith walks characters, 40 µs for 8 kB) comes last.
    for (const [k, e] of this.entries) {
      const typed = prefix.length - e.prefix.length;
      if (typed <= 0 || typed >= e.text.length || typed > this.maxTypeThrough || e.mode !== mode) continue;
      if (prefix.slice(e.prefix.length) !== e.text.slice(0, typed)) continue;
      if (e.suffix !== suffix || prefix.slice(0, e.prefix.length) !== e.prefix) continue;
      this.touch(k, e);
      return { text: e.text.slice(typed), typed };
    }
    return undefined;
  }

  clear(): void {
    this.entries.clear();
  }

  private touch(key: string, e: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, e);
  }
}
