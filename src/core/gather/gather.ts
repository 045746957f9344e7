// Gathering, start to end: list the files, judge and deduplicate them, split off the held-out
// files, write pretrain/sft/heldout records and commit pairs, then the manifest. Each JSONL
// file is written under a temporary name and renamed when complete, and the manifest is
// written last, so a gathering that is cancelled or crashes leaves the previous dataset whole.
import * as fs from "node:fs";
import { relative, resolve } from "node:path";
import { datasetPaths, type DatasetFileName } from "../store/dataset-files";
import { MANIFEST_VERSION, writeManifest, type DatasetManifest, type ExcludedFile, type ExclusionReason } from "../store/dataset-manifest";
import { JsonlAppender } from "../store/jsonl-appender";
import { describeReadProblems, emptyReadReport, readJsonlRecords } from "../store/jsonl-reader";
import { buildCommitPairs, type CommitStats } from "./builders/commit-pairs";
import { codeLanguages } from "./filters/code-languages";
import { NothingToGatherError } from "./gather-errors";
import { describeOptions, resolveGatherOptions, type GatherOptions, type ResolvedGatherOptions } from "./gather-options";
import { gitFor, isGitWorkTree, listGitFiles, type Listing } from "./list/git-listing";
import { walkFolder } from "./list/folder-walk";
import { gatherFiles, type GatheredFiles } from "./gather-files";
import { FileJudge } from "./judge-file";
import { RecordWriter, type RecordCounts } from "./record-writer";

const WRITE_BUFFER_BYTES = 256 * 1024;
/** Estimated tokens per character of code for a byte-level BPE (DatasetManifest.tokens). */
const CHARS_PER_TOKEN = 3.5;

export async function gatherDataset(input: GatherOptions): Promise<DatasetManifest> {
  const started = Date.now();
  const options = resolveGatherOptions({ ...input, repo: resolve(input.repo), datasetDir: resolve(input.datasetDir) });
  const root = options.repo;
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new NothingToGatherError(`${root} is not a folder`);
  const realRoot = fs.realpathSync(root);
  const skipDirs = [...options.skipDirs.map((dir) => resolve(dir)), options.datasetDir].map((dir) => relative(root, dir)).filter((rel) => rel !== "" && !rel.startsWith("..")).map((rel) => rel.split("\\").join("/"));

  options.onProgress?.({ phase: "list", done: 0, total: 0, bytes: 0 });
  const isGit = await isGitWorkTree(root);
  const listing = isGit ? await listGitFiles(root, skipDirs) : walkFolder(root, skipDirs);
  if (listing.paths.length === 0 && listing.excluded.length === 0) {
    throw new NothingToGatherError(`${root} has no files to learn from${isGit ? " (git lists none: an empty repository, or everything is ignored)" : ""}`);
  }

  fs.mkdirSync(options.datasetDir, { recursive: true });
  const paths = datasetPaths(options.datasetDir);
  const temp = (name: DatasetFileName) => `${paths[name]}.tmp-${process.pid}`;
  const writers = {
    pretrain: JsonlAppender.open(temp("pretrain"), { truncate: true, bufferBytes: WRITE_BUFFER_BYTES }),
    sft: JsonlAppender.open(temp("sft"), { truncate: true, bufferBytes: WRITE_BUFFER_BYTES }),
    heldout: JsonlAppender.open(temp("heldout"), { truncate: true, bufferBytes: WRITE_BUFFER_BYTES }),
  };
  const discard = () => {
    for (const [name, writer] of Object.entries(writers)) {
      writer.close();
      fs.rmSync(temp(name as DatasetFileName), { force: true });
    }
  };
  const judge = new FileJudge(root, realRoot, options.maxFileBytes, codeLanguages(options.extraCodeExtensions, options.excludedCodeExtensions));
  const records = new RecordWriter(writers, options);
  let files: GatheredFiles;
  let commits: CommitStats | null = null;
  try {
    files = await gatherFiles(listing.paths, judge, records, options);
    files.excluded.unshift(...listing.excluded);
    if (files.train.size === 0 && files.heldout.length === 0) {
      const manifest = assembleManifest({ options, listing, judge, files, records: records.counts, started, commits, preferences: 0 });
      throw new NothingToGatherError(`${root} has nothing usable: all ${manifest.files.seen} files were excluded (${describeReasons(manifest.excludedByReason)})`, manifest);
    }
    if (listing.source === "git") {
      options.onProgress?.({ phase: "commits", done: 0, total: options.commitCount, bytes: 0 });
      const settings = { count: options.commitCount, maxChangedLines: options.commitMaxChangedLines, maxFiles: options.commitMaxFiles, maxBeforeBytes: options.commitMaxBeforeBytes };
      commits = await buildCommitPairs(gitFor(root), files.train, settings, (record) => {
        writers.sft.append(record);
        records.counts.commit++;
        records.counts.sftChars += record.prompt.length + record.completion.length;
      }, options.signal);
      options.signal?.throwIfAborted();
    }
    for (const writer of Object.values(writers)) writer.close();
  } catch (err) {
    discard();
    throw err;
  }
  for (const name of ["pretrain", "sft", "heldout"] as const) fs.renameSync(temp(name), paths[name]);
  // preferences.jsonl belongs to the editor's feedback: created when missing, never rewritten.
  fs.closeSync(fs.openSync(paths.preferences, "a"));
  const preferences = countRecords(paths.preferences);

  const manifest = assembleManifest({ options, listing, judge, files, records: records.counts, started, commits, preferences: preferences.records });
  if (preferences.problem) manifest.notes.push(preferences.problem);
  writeManifest(paths.manifest, manifest);
  return manifest;
}

function countRecords(path: string): { records: number; problem: string | null } {
  const report = emptyReadReport(path);
  let records = 0;
  for (const _ of readJsonlRecords(path, report)) records++;
  return { records, problem: describeReadProblems(report) };
}

interface ManifestParts {
  options: ResolvedGatherOptions;
  listing: Listing;
  judge: FileJudge;
  files: GatheredFiles;
  records: RecordCounts;
  started: number;
  commits: CommitStats | null;
  preferences: number;
}

function assembleManifest({ options, listing, judge, files, records, started, commits, preferences }: ManifestParts): DatasetManifest {
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

