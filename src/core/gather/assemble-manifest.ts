// The manifest of a gathering (store/dataset-manifest.ts), assembled from what each part of it
// counted: the listing, the judge, the files pass, the record writer and the commit pairs.
import type { DatasetManifest, ExcludedFile, ExclusionReason } from "../store/dataset-manifest";
import { MANIFEST_VERSION } from "../store/dataset-manifest";
import type { CommitStats } from "./builders/commit-pairs";
import type { GatheredFiles } from "./gather-files";
import { describeOptions, type ResolvedGatherOptions } from "./gather-options";
import type { FileJudge } from "./judge-file";
import type { Listing } from "./list/git-listing";
import type { RecordCounts } from "./record-writer";

/** Estimated tokens per character of code for a byte-level BPE (DatasetManifest.tokens). */
const CHARS_PER_TOKEN = 3.5;

export interface ManifestParts {
  options: ResolvedGatherOptions;
  listing: Listing;
  judge: FileJudge;
  files: GatheredFiles;
  records: RecordCounts;
  probesExcluded?: DatasetManifest["heldoutExcluded"];
  started: number;
  commits: CommitStats | null;
  preferences: number;
}

export function assembleManifest({ options, listing, judge, files, records, probesExcluded, started, commits, preferences }: ManifestParts): DatasetManifest {
  const durationMs = Date.now() - started;
  const seconds = Math.max(durationMs, 1) / 1000;
  const byReason: Partial<Record<ExclusionReason, number>> = {};
  for (const file of files.excluded) byReason[file.reason] = (byReason[file.reason] ?? 0) + 1;
  const seen = listing.paths.length + listing.excluded.length;
  return {
    version: MANIFEST_VERSION,
    createdAt: new Date(started).toISOString(),
    durationMs,
    repo: options.repo,
    source: listing.source === "git" ? { kind: "git", head: listing.head, branch: listing.branch } : { kind: "folder" },
    notes: [...listing.notes],
    files: {
      seen,
      kept: files.train.size + files.heldout.length,
      excluded: files.excluded.length,
      bytesSeen: judge.bytesSeen,
      bytesRead: judge.bytesRead,
      bytesKept: files.bytesKept,
    },
    excluded: sortExcluded(files.excluded),
    excludedByReason: byReason,
    duplicates: { exact: judge.exactDuplicates, near: judge.nearDuplicates },
    split: {
      seed: options.seed,
      heldoutFraction: options.heldoutFraction,
      train: files.train.size,
      heldout: files.heldout.length,
      heldoutPaths: [...files.heldout].sort(),
    },
    counts: { pretrain: records.pretrain, fim: records.fim, docstring: records.docstring, commit: records.commit, heldout: records.heldout, preferences },
    heldoutExcluded: { ...probesExcluded },
    tokens: {
      pretrain: Math.round(records.pretrainChars / CHARS_PER_TOKEN),
      sft: Math.round(records.sftChars / CHARS_PER_TOKEN),
      heldout: Math.round(records.heldoutChars / CHARS_PER_TOKEN),
    },
    commits: commits ?? { scanned: 0, used: 0, skipped: {} },
    throughput: { filesPerSec: Math.round(seen / seconds), mbPerSec: Math.round((judge.bytesRead / 1e6 / seconds) * 10) / 10 },
    options: describeOptions(options),
  };
}

function sortExcluded(files: ExcludedFile[]): ExcludedFile[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function describeReasons(byReason: Partial<Record<ExclusionReason, number>>): string {
  return Object.entries(byReason)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([reason, n]) => `${reason} ${n}`)
    .join(", ");
}

