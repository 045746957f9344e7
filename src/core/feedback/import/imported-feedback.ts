// What every importer of another tool's completion log (Continue, Tabby) does once it has put a
// record in this repository: one feedback event per shown suggestion, in the shape the editor's
// own tracker writes, and a preference pair wherever the log holds an accepted and a rejected
// suggestion at the same place (the other tools do not record what was typed instead of a
// rejected suggestion, so a rejection alone makes no pair). The checks every record passes are
// here too, so they are the same for every source: nothing empty, nothing holding a secret,
// nothing already imported (by id), each refusal counted with its reason.
import { formatFimPrompt } from "../../completion/fim-prompt";
import { findSecret } from "../../gather/secrets/find-secret";
import type { PreferencePair } from "../../store/dataset-files";
import type { FeedbackEvent, FeedbackOutcome } from "../feedback-types";

export type SkipReason =
  | "not-an-object"
  | "missing-fields"
  | "outside-repository"
  | "secret"
  | "empty-completion"
  | "already-imported"
  /** Tabby before 0.12 (May 2024) logged no file path (before 0.3 not even the prefix apart from the prompt). */
  | "no-file-path"
  /** Tabby logs every completion it served; the editor showed this one never (the user typed on). */
  | "never-shown"
  /** Shown, but the log holds neither its acceptance nor its dismissal. */
  | "no-outcome"
  /** An outcome whose completion is not in the files read (an older day's file). */
  | "no-completion"
  /** Not about an inline completion (Tabby's chat events). */
  | "other-event";

export interface FeedbackImport {
  events: FeedbackEvent[];
  pairs: PreferencePair[];
  /** Records read, by the source's own kind of record (Continue: schema version; Tabby: event type). */
  read: Record<string, number>;
  skipped: Partial<Record<SkipReason, number>>;
}

/** One suggestion another tool showed, already placed in this repository. */
export interface ImportedSuggestion {
  /** Stable across imports of the same log ("continue:…", "tabby:…"): what dedupes. */
  id: string;
  time: string;
  /** Workspace-relative, forward slashes. */
  path: string;
  languageId: string;
  prefix: string;
  suffix: string;
  shown: string;
  outcome: FeedbackOutcome;
  /** For "partial": how many characters of `shown` were taken. */
  acceptedChars?: number;
  model: string;
}

/** The same place: the file and the text around the cursor. */
const placeKey = (path: string, prefix: string, suffix: string): string => `${path}\u0000${prefix}\u0000${suffix}`;

interface Place {
  accepted: string[];
  rejected: string[];
  path: string;
  prefix: string;
  suffix: string;
}

export class FeedbackImporter {
  private readonly out: FeedbackImport = { events: [], pairs: [], read: {}, skipped: {} };
  private readonly byPlace = new Map<string, Place>();
  /** Ids taken in this import: a log that repeats a record adds it once. */
  private readonly taken = new Set<string>();

  /** `repoName` heads each pair's prompt; `known` are the ids already in feedback/events.jsonl. */
  constructor(
    private readonly repoName: string,
    private readonly known: ReadonlySet<string>,
  ) {}

  read(kind: string): void {
    this.out.read[kind] = (this.out.read[kind] ?? 0) + 1;
  }

  skip(reason: SkipReason, n = 1): void {
    this.out.skipped[reason] = (this.out.skipped[reason] ?? 0) + n;
  }

  add(s: ImportedSuggestion): void {
    if (s.shown.trim() === "") return this.skip("empty-completion");
    // Secrets are looked for in every text that would be stored; a hit drops the whole record.
    if (findSecret(s.prefix) || findSecret(s.suffix) || findSecret(s.shown)) return this.skip("secret");
    if (this.known.has(s.id) || this.taken.has(s.id)) return this.skip("already-imported");
    this.taken.add(s.id);
    const written = s.outcome === "accepted" ? s.shown : s.outcome === "partial" ? s.shown.slice(0, s.acceptedChars ?? 0) : "";
    this.out.events.push({
      id: s.id,
      time: s.time,
      outcome: s.outcome,
      path: s.path,
      languageId: s.languageId,
      prefix: s.prefix,
      suffix: s.suffix,
      shown: s.shown,
      written,
      ...(s.outcome === "partial" ? { acceptedChars: s.acceptedChars ?? 0 } : {}),
      mode: s.shown.includes("\n") ? "block" : "line",
      model: s.model,
      latencyMs: 0,
    });
    // A partial acceptance says the start was right and nothing of the rest: no pair side.
    if (s.outcome === "partial") return;
    const key = placeKey(s.path, s.prefix, s.suffix);
    const place = this.byPlace.get(key) ?? { accepted: [], rejected: [], path: s.path, prefix: s.prefix, suffix: s.suffix };
    (s.outcome === "accepted" ? place.accepted : place.rejected).push(s.shown);
    this.byPlace.set(key, place);
  }

  /** The events in the order added, and the pairs: the last accepted suggestion at a place against each different one rejected there. */
  finish(): FeedbackImport {
    for (const p of this.byPlace.values()) {
      const chosen = p.accepted[p.accepted.length - 1];
      if (chosen === undefined) continue;
      for (const rejected of new Set(p.rejected)) {
        if (rejected === chosen) continue;
        this.out.pairs.push({ prompt: formatFimPrompt(p.prefix, p.suffix, { name: this.repoName, path: p.path }), chosen, rejected, source: "editor", path: p.path });
      }
    }
    this.byPlace.clear();
    return this.out;
  }
}
