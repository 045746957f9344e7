// `manifest.json` of a dataset: what was gathered, from which commit, what was left out and
// why (the user sees every excluded file with its reason), the split and the sample counts.
import { readFileSync } from "node:fs";
import { writeAllSync, writeFileAtomicSync } from "../fs/atomic-write";

export const MANIFEST_VERSION = 1;

/** Why a file is not in the dataset. The manifest counts files by these. */
export const EXCLUSION_REASONS = [
  "submodule",
  "symlink",
  "symlink-outside-repo",
  "symlink-loop",
  "not-a-regular-file",
  "unreadable",
  "missing",
  "secret-file",
  "vendored",
  "generated",
  "lockfile",
  "not-code",
  "too-large",
  "empty",
  "binary",
  "secret",
  "minified",
  "data-heavy",
  "exact-duplicate",
  "near-duplicate",
  "changed-during-gather",
] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

export interface ExcludedFile {
  path: string;
  reason: ExclusionReason;
  /** Why, in words: the rule or marker, the line of a credential (never its value), the original of a duplicate. */
  detail?: string;
}

export interface DatasetManifest {
  version: typeof MANIFEST_VERSION;
  createdAt: string;
  durationMs: number;
  /** Absolute path of the gathered folder. */
  repo: string;
  source: { kind: "git"; head: string | null; branch: string | null } | { kind: "folder" };
  /** Things the user should know about this gathering (not a git repository, torn lines...). */
  notes: string[];
  files: {
    seen: number;
    kept: number;
    excluded: number;
    /** Sizes of the files that passed the path rules (the others are not even looked at). */
    bytesSeen: number;
    /** Bytes read and examined (files excluded by path or size are never read). */
    bytesRead: number;
    /** Bytes of the files in the dataset (train and held-out). */
    bytesKept: number;
  };
  /** Every excluded file with its reason, sorted by path. */
  excluded: ExcludedFile[];
  excludedByReason: Partial<Record<ExclusionReason, number>>;
  duplicates: { exact: number; near: number };
  split: { seed: number; heldoutFraction: number; train: number; heldout: number; heldoutPaths: string[] };
  counts: { pretrain: number; fim: number; docstring: number; commit: number; heldout: number; preferences: number };
  /**
   * Held-out targets left out, by reason: "short" (fewer than 4 non-blank characters),
   * "closes-block" (only punctuation and words like end, else, return), "in-training-files"
   * (every line of it also occurs in a training file).
   */
  heldoutExcluded: Partial<Record<"short" | "closes-block" | "in-training-files", number>>;
  /** Estimated tokens: characters / 3.5, a typical rate of BPE on code. */
  tokens: { pretrain: number; sft: number; heldout: number };
  commits: { scanned: number; used: number; skipped: Record<string, number> };
  throughput: { filesPerSec: number; mbPerSec: number };
  options: Record<string, unknown>;
}

/**
 * Writes manifest.json atomically. The list of excluded files goes last, a thousand entries per
 * write: a repository of half a million files must not need its whole manifest as one string.
 */
export function writeManifest(path: string, manifest: DatasetManifest): void {
  const { excluded, ...rest } = manifest;
  const head = JSON.stringify(rest, null, 2);
  writeFileAtomicSync(path, (fd) => {
    writeAllSync(fd, Buffer.from(`${head.slice(0, head.lastIndexOf("}")).trimEnd()},\n  "excluded": [`, "utf8"));
    for (let i = 0; i < excluded.length; i += EXCLUDED_PER_WRITE) {
      const lines = excluded.slice(i, i + EXCLUDED_PER_WRITE).map((file, j) => `${i + j === 0 ? "" : ","}\n    ${JSON.stringify(file)}`);
      writeAllSync(fd, Buffer.from(lines.join(""), "utf8"));
    }
    writeAllSync(fd, Buffer.from(`${excluded.length > 0 ? "\n  " : ""}]\n}\n`, "utf8"));
  });
}

const EXCLUDED_PER_WRITE = 1_000;

export function readManifest(path: string): DatasetManifest {
  const value = JSON.parse(readFileSync(path, "utf8")) as DatasetManifest;
  if (value.version !== MANIFEST_VERSION) throw new Error(`${path}: manifest version ${String(value.version)}, expected ${MANIFEST_VERSION}`);
  return value;
}
