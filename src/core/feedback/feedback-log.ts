// Where feedback goes on disk: OUT/feedback/events.jsonl (every settled completion) and
// OUT/dataset/preferences.jsonl (pairs for the next DPO). Each record is one whole line in
// one O_APPEND write, so two VS Code windows logging at once never interleave.
import { dirname, join } from "node:path";
import { datasetPaths, DATASET_FOLDER } from "../store/dataset-files";
import { appendJsonlRecord } from "../store/jsonl-appender";
import { readJsonlRecords } from "../store/jsonl-reader";
import type { FeedbackSink } from "./feedback-tracker";
import type { FeedbackEvent, FeedbackOutcome } from "./feedback-types";
import { mkdirPrivate } from "../fs/private-files";

export function feedbackPaths(out: string): { events: string; preferences: string } {
  return { events: join(out, "feedback", "events.jsonl"), preferences: datasetPaths(join(out, DATASET_FOLDER)).preferences };
}

export function feedbackFileSink(out: string): FeedbackSink {
  const paths = feedbackPaths(out);
  const append = (file: string, record: unknown) => {
    mkdirPrivate(dirname(file)); // 0700: see core/fs/private-files.ts
    appendJsonlRecord(file, record);
  };
  return {
    event: (e) => append(paths.events, e),
    pair: (p) => append(paths.preferences, p),
  };
}

export interface AcceptanceStats {
  shown: number;
  accepted: number;
  partial: number;
  rejected: number;
  /** Accepted (partial counted as half) over shown; null before the first completion. */
  rate: number | null;
}

export function countOutcomes(outcomes: Iterable<FeedbackOutcome>): AcceptanceStats {
  const s = { shown: 0, accepted: 0, partial: 0, rejected: 0 };
  for (const o of outcomes) {
    s.shown++;
    s[o]++;
  }
  return { ...s, rate: s.shown ? (s.accepted + 0.5 * s.partial) / s.shown : null };
}

export function readAcceptanceStats(out: string): AcceptanceStats {
  function* outcomes(): Generator<FeedbackOutcome> {
    for (const line of readJsonlRecords<FeedbackEvent>(feedbackPaths(out).events)) yield line.record.outcome;
  }
  try {
    return countOutcomes(outcomes());
  } catch {
    return countOutcomes([]);
  }
}
