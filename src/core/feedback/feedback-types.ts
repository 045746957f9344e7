// What RepoTune records about each inline completion it showed (DESIGN.md "Data":
// feedback/events.jsonl), and the preference pairs that feedback turns into.

export type FeedbackOutcome = "accepted" | "rejected" | "partial";
import type { CompletionMode } from "../completion/place";
import type { PreferencePair } from "../store/dataset-files";

export type { CompletionMode, PreferencePair };

/** A completion as it was shown in the editor. */
export interface ShownCompletion {
  id: string;
  /** The document it was shown in (a URI string); never leaves the machine. */
  document: string;
  /** Workspace-relative path, for the dataset. */
  path: string;
  languageId: string;
  /** Character offset in the document where the completion would be inserted. */
  offset: number;
  prefix: string;
  suffix: string;
  text: string;
  mode: CompletionMode;
  model: string;
  latencyMs: number;
  shownAt: number;
  /** The workspace folder's name: the pair's prompt gets the repository-level header, as the model was asked. */
  repo?: string;
}

/** One line of feedback/events.jsonl. */
export interface FeedbackEvent {
  id: string;
  time: string;
  outcome: FeedbackOutcome;
  path: string;
  languageId: string;
  prefix: string;
  suffix: string;
  shown: string;
  /** What the user actually wrote at that place (to the end of the line or block); "" when nothing. */
  written: string;
  /** For a partial accept: how many characters of the suggestion were taken. */
  acceptedChars?: number;
  mode: CompletionMode;
  model: string;
  latencyMs: number;
}

