// Follows every shown completion until its fate is known, as Continue does: accepted when
// the item's command runs (Tab); partially accepted when a word-by-word accept inserted the
// start of it; rejected when, after a short window, the user typed something else or nothing.
// For a rejection it keeps reading what the user writes at that place (up to a minute, to
// the end of the line or block) and records that as the text they preferred.
//
// Pure logic over a minimal document model, so it is unit-tested without an editor; the
// extension feeds it VS Code's document changes.
import { formatFimPrompt } from "../completion/fim-prompt";
import type { CompletionMode, FeedbackEvent, PreferencePair, ShownCompletion } from "./feedback-types";

export interface TextChange {
  /** Offset of the replaced range in the document before this change. */
  offset: number;
  removedLength: number;
  insertedText: string;
}

/** Receives settled feedback; `document` (the shown completion's document) tells where it belongs. */
export interface FeedbackSink {
  event(event: FeedbackEvent, document: string): void;
  pair(pair: PreferencePair, document: string): void;
}

export interface FeedbackTrackerOptions {
  /** A shown completion not accepted within this window counts as rejected (Continue: 10 s). */
  rejectAfterMs: number;
  /** How long to keep reading what the user writes in its place. */
  observeForMs: number;
  /** Returns true when a text must never be stored (it holds a credential). */
  isSecret(text: string): boolean;
}

export const DEFAULT_FEEDBACK_OPTIONS: Omit<FeedbackTrackerOptions, "isSecret"> = { rejectAfterMs: 10_000, observeForMs: 60_000 };

interface Tracked {
  shown: ShownCompletion;
  /** Start of the place the completion was offered for, moved by edits before it. */
  start: number;
  /** Where the original suffix begins now: what lies between start and end the user wrote. */
  end: number;
  /** Longest start of the suggestion inserted in one change (a word-by-word accept). */
  partialChars: number;
  /** True once the place was left behind: an edit removed the offer point. */
  lost: boolean;
}

/** The part of what was written that answers the completion: its line, or its block. */
export function cutToMode(text: string, mode: CompletionMode): string {
  if (mode === "line") {
    const newline = text.indexOf("\n");
    return newline === -1 ? text : text.slice(0, newline);
  }
  const blank = text.search(/\n[ \t]*\n/);
  return blank === -1 ? text : text.slice(0, blank);
}

export class FeedbackTracker {
  private readonly pending = new Map<string, Tracked>();

  constructor(
    private readonly sink: FeedbackSink,
    private readonly options: FeedbackTrackerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  shown(completion: ShownCompletion): void {
    // The same place offered again (the user paused, VS Code asked again): the newer offer
    // supersedes the older one, which is neither accepted nor really rejected.
    for (const [id, t] of this.pending) {
      if (t.shown.document === completion.document && t.start === completion.offset && t.end === completion.offset) this.pending.delete(id);
    }
    this.pending.set(completion.id, { shown: completion, start: completion.offset, end: completion.offset, partialChars: 0, lost: false });
  }

  accepted(id: string): void {
    const t = this.pending.get(id);
    if (!t) return;
    this.pending.delete(id);
    this.sink.event(this.toEvent(t, "accepted", t.shown.text), t.shown.document);
  }

  documentChanged(document: string, changes: readonly TextChange[]): void {
    for (const t of this.pending.values()) {
      if (t.shown.document !== document) continue;
      for (const change of changes) this.applyChange(t, change);
    }
  }

  private applyChange(t: Tracked, change: TextChange): void {
    const changeEnd = change.offset + change.removedLength;
    const delta = change.insertedText.length - change.removedLength;
    if (changeEnd < t.start || (changeEnd === t.start && change.offset < t.start)) {
      // Entirely before the place: shift it.
      t.start += delta;
      t.end += delta;
    } else if (change.offset > t.end) {
      // After the written region (inside the old suffix or beyond): irrelevant.
    } else if (change.offset >= t.start && changeEnd <= t.end) {
      // Typing (or deleting) inside what the user writes at this place.
      this.notePartial(t, change);
      t.end += delta;
    } else {
      // The edit swallowed the offer point (a selection replaced across it): track no further.
      t.lost = true;
    }
  }

  /**
   * A word-by-word accept inserts several characters of the suggestion in one change at the
   * end of what is written so far; ordinary typing inserts one at a time. The taken part is
   * the run of such chunks from the start, while nothing else was written in between.
   */
  private notePartial(t: Tracked, change: TextChange): void {
    const appendsAtEnd = change.removedLength === 0 && change.offset === t.end;
    const onlyChunksSoFar = t.end - t.start === t.partialChars;
    if (!appendsAtEnd || !onlyChunksSoFar || change.insertedText.length < 2) return;
    const taken = t.shown.text.slice(0, t.partialChars) + change.insertedText;
    if (t.shown.text.startsWith(taken) && taken.length < t.shown.text.length) t.partialChars = taken.length;
  }

  /**
   * Decides what can be decided by now. `textOf` returns a document's current text (or
   * undefined when it was closed). Call it on a timer and on document changes.
   */
  tick(textOf: (document: string) => string | undefined): void {
    const now = this.now();
    for (const [id, t] of this.pending) {
      const age = now - t.shown.shownAt;
      if (age < this.options.rejectAfterMs) continue;
      const text = textOf(t.shown.document);
      const written = text === undefined || t.lost ? undefined : text.slice(t.start, t.end);
      const answered = written !== undefined && (t.shown.mode === "line" ? written.includes("\n") : /\n[ \t]*\n/.test(written));
      if (!(answered || age >= this.options.observeForMs || written === undefined)) continue;
      this.pending.delete(id);
      this.settle(t, written === undefined ? "" : cutToMode(written, t.shown.mode));
    }
  }

  /** Settles everything still open (the extension is shutting down). */
  flush(textOf: (document: string) => string | undefined): void {
    for (const [id, t] of this.pending) {
      this.pending.delete(id);
      const text = textOf(t.shown.document);
      this.settle(t, text === undefined || t.lost ? "" : cutToMode(text.slice(t.start, t.end), t.shown.mode));
    }
  }

  private settle(t: Tracked, written: string): void {
    const shown = t.shown;
    if (written === shown.text || (written.trimEnd() === shown.text.trimEnd() && written.trim() !== "")) {
      // Typed through exactly what was suggested: an acceptance in all but the key pressed.
      this.sink.event(this.toEvent(t, "accepted", written), shown.document);
      return;
    }
    const partial = t.partialChars > 0 && written.startsWith(shown.text.slice(0, t.partialChars));
    const event = this.toEvent(t, partial ? "partial" : "rejected", written);
    if (partial) event.acceptedChars = t.partialChars;
    this.sink.event(event, shown.document);
    if (written.trim() !== "" && written.trim() !== shown.text.trim()) {
      const pair: PreferencePair = { prompt: formatFimPrompt(shown.prefix, shown.suffix, shown.repo === undefined ? undefined : { name: shown.repo, path: shown.path }), chosen: written, rejected: shown.text, source: "editor", path: shown.path };
      // The part taken by words was wanted: the pair counts for the share refused.
      if (partial) pair.weight = Math.round((1 - t.partialChars / shown.text.length) * 1000) / 1000;
      if (!this.options.isSecret(pair.prompt + "\n" + pair.chosen + "\n" + pair.rejected)) this.sink.pair(pair, shown.document);
    }
  }

  private toEvent(t: Tracked, outcome: FeedbackEvent["outcome"], written: string): FeedbackEvent {
    const s = t.shown;
    const secret = this.options.isSecret(s.prefix + "\n" + s.suffix + "\n" + s.text + "\n" + written);
    return {
      id: s.id,
      time: new Date(this.now()).toISOString(),
      outcome,
      path: s.path,
      languageId: s.languageId,
      // Nothing secret is ever stored: the outcome counts, the texts are dropped.
      prefix: secret ? "" : s.prefix,
      suffix: secret ? "" : s.suffix,
      shown: secret ? "" : s.text,
      written: secret ? "" : written,
      mode: s.mode,
      model: s.model,
      latencyMs: s.latencyMs,
    };
  }
}
