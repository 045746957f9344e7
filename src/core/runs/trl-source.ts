// What a TRL export takes from a RepoTune run folder: its record (run.json: the preset, the
// minutes it was fitted to, the base it started from) and the data folder it trained on.
// Paths come from where the run folder is now, not from the record, so a data folder that
// was moved or copied still exports.
import { existsSync } from "node:fs";
import { feedbackPaths } from "../feedback/feedback-log";
import { presetForJob, PRESET_TABLE } from "../presets";
import { readRunRecord, type RunRecord } from "./run-record";
import { locateRun, runLayout } from "./run-layout";
import { trlSettings, type TrlSettings, type TrlSettingsInput } from "../formats/trl/trl-settings";

export interface TrlRunSource {
  record: RunRecord;
  settings: TrlSettings;
  /** OUT/dataset of the run's data folder. */
  datasetDir: string;
  /** OUT/feedback/events.jsonl, when the editor logged any. */
  feedbackEvents?: string;
}

export function trlSourceFromRun(dir: string, options: Omit<TrlSettingsInput, "preset" | "base" | "runId"> = {}): TrlRunSource {
  const { out, runId } = locateRun(dir);
  const record = readRunRecord(out, runId);
  if (!record) throw new Error(`${runLayout(out, runId).runFile} cannot be read`);
  if (!PRESET_TABLE[record.job.preset]) throw new Error(`${runLayout(out, runId).runFile}: unknown preset ${JSON.stringify(record.job.preset)}`);
  // A run asked for --minutes N (or set steps) trained its stages for other steps than the preset names.
  const preset = presetForJob(record.job);
  const settings = trlSettings({ ...options, preset, runId: record.runId, ...(record.job.base ? { base: record.job.base } : {}) });
  const events = feedbackPaths(out).events;
  return { record, settings, datasetDir: runLayout(out, runId).datasetDir, ...(existsSync(events) ? { feedbackEvents: events } : {}) };
}
