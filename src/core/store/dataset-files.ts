// The files of a dataset folder (DESIGN.md "Data"), named in one place for the builders, the
// training worker and the dashboard.
import { join } from "node:path";

export const DATASET_FOLDER = "dataset";

export const DATASET_FILES = {
  manifest: "manifest.json",
  pretrain: "pretrain.jsonl",
  sft: "sft.jsonl",
  heldout: "heldout.jsonl",
  preferences: "preferences.jsonl",
} as const;

export type DatasetFileName = keyof typeof DATASET_FILES;

export function datasetPaths(datasetDir: string): Record<DatasetFileName, string> {
  return {
    manifest: join(datasetDir, DATASET_FILES.manifest),
    pretrain: join(datasetDir, DATASET_FILES.pretrain),
    sft: join(datasetDir, DATASET_FILES.sft),
    heldout: join(datasetDir, DATASET_FILES.heldout),
    preferences: join(datasetDir, DATASET_FILES.preferences),
  };
}

/** `pretrain.jsonl`: whole files (chunked when long) with a path header. */
export interface PretrainRecord {
  text: string;
  path: string;
}

export const SFT_KINDS = ["fim", "docstring", "commit"] as const;
export type SftKind = (typeof SFT_KINDS)[number];

/** `sft.jsonl`: TRL's prompt-completion format; every record has exactly these four keys. */
export interface SftRecord {
  prompt: string;
  completion: string;
  kind: SftKind;
  path: string;
}

/** `heldout.jsonl`: a line-completion probe in a file that is never trained on. */
export interface HeldoutProbe {
  prefix: string;
  suffix: string;
  /** What the model should write at the cursor: the rest of the line, or the whole next line. */
  target: string;
  path: string;
  /** 1-based line of the cursor, as editors and `git blame` number lines. */
  line: number;
  /** How the editor asks there: "block" for a multi-line body from a fresh line; absent: "line". */
  mode?: "line" | "block";
  /** The repository's name, for the repository-level prompt; absent in datasets made before it. */
  repo?: string;
}

/** One line of preferences.jsonl, in TRL's preference format. */
export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
  source: "editor" | "synthetic";
  /** Workspace-relative file the pair was made in: pairs are held out by file, as probes are. */
  path?: string;
  /**
   * What wrote a synthetic pair's rejected side: the model being trained ("policy", training
   * pairs only), the model the run started from ("base-model"), or a line from the same file
   * ("same-file") or from another file ("elsewhere"). Evaluation never uses "policy" pairs.
   */
  rejectedBy?: "policy" | "base-model" | "same-file" | "elsewhere";
  /**
   * How much the pair counts in training, in (0, 1]; absent means 1. A partial accept (the user
   * took the first part of the suggestion by words, then wrote on) prefers what was written
   * over what was shown only for the part not taken: its weight is 1 minus the share accepted.
   */
  weight?: number;
}
