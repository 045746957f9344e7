// `repotune import-feedback FILE`: another tool's log of shown and accepted completions into this
// repository's feedback (OUT/feedback/events.jsonl) and preference pairs (OUT/dataset/
// preferences.jsonl), the way the editor's own tracker writes them; importing twice adds nothing.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { readRecords, type JsonlReadReport } from "../../store/jsonl-reader";
import { feedbackFileSink, feedbackPaths } from "../feedback-log";
import type { FeedbackEvent } from "../feedback-types";
import { importContinueAutocomplete, type ContinueImport } from "./continue-autocomplete";

/** Where Continue keeps its autocomplete log, newest schema first. */
export function continueLogPaths(home = homedir()): string[] {
  return ["0.2.0", "0.1.0"].map((v) => join(home, ".continue", "dev_data", v, "autocomplete.jsonl"));
}

export interface FeedbackImportResult extends ContinueImport {
  file: string;
  /** Torn or corrupt lines of the log. */
  corruptLines: number;
}

export function importFeedback(o: { file: string; repo: string; out: string }): FeedbackImportResult {
  if (!existsSync(o.file)) throw new Error(`${o.file} does not exist: give Continue's autocomplete.jsonl (${continueLogPaths()[0]})`);
  const known = new Set<string>();
  for (const e of readRecords<FeedbackEvent>(feedbackPaths(o.out).events)) if (typeof e?.id === "string") known.add(e.id);
  const reports: JsonlReadReport[] = [];
  const result = importContinueAutocomplete(readRecords<unknown>(o.file, reports), o.repo, known);
  const sink = feedbackFileSink(o.out);
  // The sink's second argument names the editor document; an imported record has none open.
  for (const e of result.events) sink.event(e, o.file);
  for (const p of result.pairs) sink.pair(p, o.file);
  const corruptLines = reports.reduce((n, r) => n + r.corruptLines.length + (r.tornLastLine ? 1 : 0), 0);
  return { ...result, file: o.file, corruptLines };
}
