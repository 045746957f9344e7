// `repotune gather [--repo DIR] [--out DIR] [--json]`: builds OUT/dataset from a repository
// and prints what was kept, what was left out and why. Exit code 2 when there is nothing to
// learn from (an empty repository, or every file excluded), so scripts can tell it from a crash.
import type { Command } from "commander";
import { mkdirPrivate } from "../../core/fs/private-files";
import { join, resolve } from "node:path";
import { gatherDataset } from "../../core/gather/gather";
import { NothingToGatherError } from "../../core/gather/gather-errors";
import type { GatherProgress } from "../../core/gather/gather-options";
import { DATASET_FOLDER } from "../../core/store/dataset-files";
import { defaultOutDir } from "./out-dir";
import { formatGatherReport } from "./gather-report";

export const EXIT_NOTHING_TO_GATHER = 2;

interface GatherFlags {
  repo: string;
  out?: string;
  json?: boolean;
  codeExtensions?: string;
  notCodeExtensions?: string;
}

const extensionList = (value: string | undefined) => (value ? value.split(",").map((e) => e.trim()).filter(Boolean) : []);

export function registerGather(program: Command): void {
  program
    .command("gather")
    .description("build the datasets from a repository: pretrain text, FIM, docstring and commit pairs, held-out probes")
    .option("--repo <dir>", "the repository (or any folder) to gather", ".")
    .option("--out <dir>", "where OUT/dataset is written (default: REPO/.repotune, git-ignored)")
    .option("--json", "print the manifest as JSON instead of the table")
    .option("--code-extensions <list>", "extensions to count as code besides the built-in list, comma-separated (.vue2,.tmpl)")
    .option("--not-code-extensions <list>", "built-in extensions not to count as code, comma-separated (.md,.json)")
    .action(async (flags: GatherFlags) => {
      const repo = resolve(flags.repo);
      const out = flags.out ? resolve(flags.out) : defaultOutDir(repo);
      const datasetDir = join(out, DATASET_FOLDER);
      // 0700 before gathering writes the user's code into it (core/fs/private-files.ts).
      mkdirPrivate(datasetDir);
      try {
        const manifest = await gatherDataset({
          repo,
          datasetDir,
          // The output folder may lie inside the repository: never gather what RepoTune wrote.
          skipDirs: [out],
          extraCodeExtensions: extensionList(flags.codeExtensions),
          excludedCodeExtensions: extensionList(flags.notCodeExtensions),
          onProgress: flags.json ? undefined : progressLine(),
        });
        clearProgress(flags.json);
        process.stdout.write(`${flags.json ? JSON.stringify(manifest, null, 2) : formatGatherReport(manifest, datasetDir)}\n`);
      } catch (err) {
        clearProgress(flags.json);
        if (!(err instanceof NothingToGatherError)) throw err;
        if (flags.json && err.manifest) process.stdout.write(`${JSON.stringify(err.manifest, null, 2)}\n`);
        process.stderr.write(`repotune gather: ${err.message}\n`);
        process.exitCode = EXIT_NOTHING_TO_GATHER;
      }
    });
}

/** A one-line progress indicator on a terminal; nothing when stderr is a file or a pipe. */
function progressLine(): ((p: GatherProgress) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (p) => {
    const total = p.total > 0 ? `/${p.total}` : "";
    process.stderr.write(`\r\x1b[K${p.phase} ${p.done}${total}`);
  };
}

function clearProgress(json: boolean | undefined): void {
  if (!json && process.stderr.isTTY) process.stderr.write("\r\x1b[K");
}
