// `repotune import-feedback FILE`: another tool's log of shown and accepted completions into this
// repository's feedback (OUT/feedback/events.jsonl) and preference pairs (OUT/dataset/
// preferences.jsonl), the way the editor's own tracker writes them; importing twice adds nothing.
// The sources: Continue's autocomplete.jsonl, and Tabby's event log (one file of a day, or the
// whole events folder, which joins outcomes logged on the day after their completion).
import { existsSync, readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { readRecords, type JsonlReadReport } from "../../store/jsonl-reader";
import { feedbackFileSink, feedbackPaths } from "../feedback-log";
import type { FeedbackEvent } from "../feedback-types";
import { importContinueAutocomplete } from "./continue-autocomplete";
import { gitRemotes } from "./git-remotes";
import type { FeedbackImport } from "./imported-feedback";
import { importTabbyEvents, type TabbyRepo } from "./tabby-events";

export type FeedbackSourceKind = "continue" | "tabby";
export const FEEDBACK_SOURCE_KINDS: readonly FeedbackSourceKind[] = ["continue", "tabby"];

/** Where Continue keeps its autocomplete log, newest schema first. */
export function continueLogPaths(home = homedir()): string[] {
  return ["0.2.0", "0.1.0"].map((v) => join(home, ".continue", "dev_data", v, "autocomplete.jsonl"));
}

/** Where Tabby writes its event log: TABBY_ROOT/events, TABBY_ROOT defaulting to ~/.tabby (tabby-common's path.rs). */
export function tabbyEventsDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  return join(env.TABBY_ROOT || join(home, ".tabby"), "events");
}

/** The log to import when none is given: Continue's first, else Tabby's events folder; null when neither is there. */
export function defaultFeedbackSource(o: { from?: FeedbackSourceKind; home?: string; env?: NodeJS.ProcessEnv } = {}): { file: string; from: FeedbackSourceKind } | null {
  if (o.from !== "tabby") {
    const file = continueLogPaths(o.home).find((p) => existsSync(p));
    if (file) return { file, from: "continue" };
  }
  if (o.from !== "continue") {
    const dir = tabbyEventsDir(o.env, o.home);
    if (tabbyFiles(dir).length > 0) return { file: dir, from: "tabby" };
  }
  return null;
}

/** A Tabby events folder's day files, oldest first (their names are dates). */
function tabbyFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/** Which tool wrote `path`: a folder is Tabby's events folder; a file is told by its first record. */
export function detectFeedbackSource(path: string): FeedbackSourceKind {
  if (statSync(path).isDirectory()) return "tabby";
  for (const r of readRecords<unknown>(path)) {
    if (typeof r !== "object" || r === null || Array.isArray(r)) continue;
    // Tabby's LogEntry wraps its event ({"ts", "event": {...}}); Continue's records are flat.
    return "event" in r && typeof (r as { event: unknown }).event === "object" ? "tabby" : "continue";
  }
  return /^\d{4}-\d{2}-\d{2}\.json$/.test(path.split(/[\\/]/).pop() ?? "") ? "tabby" : "continue";
}

/** This repository as Tabby's records name it: its remotes, and its files for paths without one. */
function tabbyRepo(root: string): TabbyRepo {
  return { root, remotes: gitRemotes(root), hasFile: (path) => existsSync(join(root, path)) && statSync(join(root, path)).isFile() };
}

export interface FeedbackImportResult extends FeedbackImport {
  /** The file or (Tabby) folder read. */
  file: string;
  from: FeedbackSourceKind;
  /** Torn or corrupt lines of the log. */
  corruptLines: number;
}

export function importFeedback(o: { file: string; repo: string; out: string; from?: FeedbackSourceKind }): FeedbackImportResult {
  if (!existsSync(o.file)) throw new Error(`${o.file} does not exist: give Continue's autocomplete.jsonl (${continueLogPaths()[0]}) or Tabby's events folder (${tabbyEventsDir()})`);
  const from = o.from ?? detectFeedbackSource(o.file);
  const known = new Set<string>();
  for (const e of readRecords<FeedbackEvent>(feedbackPaths(o.out).events)) if (typeof e?.id === "string") known.add(e.id);
  const reports: JsonlReadReport[] = [];
  let result: FeedbackImport;
  if (from === "tabby") {
    const files = statSync(o.file).isDirectory() ? tabbyFiles(o.file) : [o.file];
    result = importTabbyEvents((function* () {
      for (const f of files) yield* readRecords<unknown>(f, reports);
    })(), tabbyRepo(o.repo), known);
  } else {
    if (statSync(o.file).isDirectory()) throw new Error(`${o.file} is a folder: give Continue's autocomplete.jsonl`);
    result = importContinueAutocomplete(readRecords<unknown>(o.file, reports), o.repo, known);
  }
  const sink = feedbackFileSink(o.out);
  // The sink's second argument names the editor document; an imported record has none open.
  for (const e of result.events) sink.event(e, o.file);
  for (const p of result.pairs) sink.pair(p, o.file);
  const corruptLines = reports.reduce((n, r) => n + r.corruptLines.length + (r.tornLastLine ? 1 : 0), 0);
  return { ...result, file: o.file, from, corruptLines };
}
