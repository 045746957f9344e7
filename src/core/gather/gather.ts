// Gathering, start to end: list the files, judge and deduplicate them, split off the held-out
// files, write pretrain/sft/heldout records and commit pairs, then the manifest. The output
// replaces the previous dataset only when complete (dataset-output.ts), so a gathering that is
// cancelled or crashes leaves the previous dataset whole.
import * as fs from "node:fs";
import { relative, resolve } from "node:path";
import type { DatasetManifest } from "../store/dataset-manifest";
import { assembleManifest, describeReasons } from "./assemble-manifest";
import { buildCommitPairs, type CommitStats } from "./builders/commit-pairs";
import { DatasetOutput } from "./dataset-output";
import { codeLanguages } from "./filters/code-languages";
import { NothingToGatherError } from "./gather-errors";
import { resolveGatherOptions, type GatherOptions } from "./gather-options";
import { gitFor, isGitWorkTree, listGitFiles } from "./list/git-listing";
import { walkFolder } from "./list/folder-walk";
import { gatherFiles, type GatheredFiles } from "./gather-files";
import { FileJudge } from "./judge-file";
import { RecordWriter } from "./record-writer";

export { describeReasons };

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
    throw new NothingToGatherError(
      `${root} has no files to learn from${isGit ? " (git lists none: an empty repository, or everything is ignored)" : " (an empty folder)"}: add the project's source files${isGit ? " (committed, or at least not ignored)" : ""}, or open the folder that holds them`,
    );
  }

  const output = DatasetOutput.open(options.datasetDir);
  const judge = new FileJudge(root, realRoot, options.maxFileBytes, codeLanguages(options.extraCodeExtensions, options.excludedCodeExtensions));
  const records = new RecordWriter(output.writers, options);
  let files: GatheredFiles;
  let commits: CommitStats | null = null;
  try {
    files = await gatherFiles(listing.paths, judge, records, options);
    files.excluded.unshift(...listing.excluded);
    if (files.train.size === 0 && files.heldout.length === 0) {
      const manifest = assembleManifest({ options, listing, judge, files, records: records.counts, probesExcluded: records.probesExcluded, started, commits, preferences: 0 });
      throw new NothingToGatherError(
        `${root} has nothing usable: all ${manifest.files.seen} files were excluded (${describeReasons(manifest.excludedByReason)}). ` +
          "RepoTune learns from source code: the manifest lists each file with its reason (repotune gather --json); code with an extension RepoTune does not know is added with repotune gather --code-extensions",
        manifest,
      );
    }
    if (listing.source === "git") {
      options.onProgress?.({ phase: "commits", done: 0, total: options.commitCount, bytes: 0 });
      const settings = { count: options.commitCount, maxChangedLines: options.commitMaxChangedLines, maxFiles: options.commitMaxFiles, maxBeforeBytes: options.commitMaxBeforeBytes };
      commits = await buildCommitPairs(gitFor(root), files.train, settings, (record) => {
        output.writers.sft.append(record);
        records.counts.commit++;
        records.counts.sftChars += record.prompt.length + record.completion.length;
      }, options.signal);
      options.signal?.throwIfAborted();
    }
  } catch (err) {
    output.discard();
    throw err;
  }
  const preferences = output.complete();
  const manifest = assembleManifest({ options, listing, judge, files, records: records.counts, probesExcluded: records.probesExcluded, started, commits, preferences: preferences.records });
  if (preferences.problem) manifest.notes.push(preferences.problem);
  output.writeManifest(manifest);
  return manifest;
}

