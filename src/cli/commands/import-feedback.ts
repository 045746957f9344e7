// `repotune import-feedback [FILE] [--from continue|tabby] [--repo DIR] [--out DIR] [--json]`:
// Continue's autocomplete log or Tabby's event log (FILE, or when not given: the newest
// Continue log under ~/.continue/dev_data, else Tabby's TABBY_ROOT/events folder) into this
// repository's feedback and preference pairs, with a count of what was used and what skipped.
import { InvalidArgumentError, type Command } from "commander";
import { resolve } from "node:path";
import { continueLogPaths, defaultFeedbackSource, FEEDBACK_SOURCE_KINDS, importFeedback, tabbyEventsDir, type FeedbackSourceKind } from "../../core/feedback/import/import-feedback";
import { defaultOutDir } from "./out-dir";

function sourceKind(value: string): FeedbackSourceKind {
  if (!(FEEDBACK_SOURCE_KINDS as readonly string[]).includes(value)) throw new InvalidArgumentError(`one of ${FEEDBACK_SOURCE_KINDS.join(", ")}`);
  return value as FeedbackSourceKind;
}

export function registerImportFeedback(program: Command): void {
  program
    .command("import-feedback [file]")
    .description("import Continue's autocomplete log or Tabby's event log (accepted and rejected suggestions) as feedback events and preference pairs of this repository")
    .option("--from <tool>", "the tool that wrote FILE: continue or tabby (default: told from the file; without FILE, where to look)", sourceKind)
    .option("--repo <dir>", "the repository the suggestions were made in (others in the log are skipped)", process.cwd())
    .option("--out <dir>", "the data folder (default: REPO/.repotune)")
    .option("--json", "print the counts as JSON")
    .action((file: string | undefined, opts: { from?: FeedbackSourceKind; repo: string; out?: string; json?: boolean }) => {
      const repo = resolve(opts.repo);
      const source = file ? { file: resolve(file), from: opts.from } : defaultFeedbackSource({ from: opts.from });
      if (!source) {
        const looked = [...(opts.from === "tabby" ? [] : continueLogPaths()), ...(opts.from === "continue" ? [] : [tabbyEventsDir()])];
        throw new Error(`no ${opts.from === "tabby" ? "Tabby event" : opts.from === "continue" ? "Continue autocomplete" : "Continue or Tabby"} log found (looked at ${looked.join(", ")}); give its path`);
      }
      const r = importFeedback({ file: source.file, repo, out: resolve(opts.out ?? defaultOutDir(repo)), ...(source.from ? { from: source.from } : {}) });
      const summary = { file: r.file, from: r.from, events: r.events.length, pairs: r.pairs.length, read: r.read, skipped: r.skipped, corruptLines: r.corruptLines };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      const skipped = Object.entries(r.skipped).map(([why, n]) => `${n} ${why}`).join(", ");
      // Continue's records carry a schema version; Tabby's are told apart by event type.
      const kinds = Object.entries(r.read).map(([k, n]) => (r.from === "continue" ? `${n} of schema ${k}` : `${n} ${k}`)).join(", ");
      process.stdout.write(
        `${r.file} (${r.from}): ${Object.values(r.read).reduce((a, b) => a + b, 0)} records (${kinds || "none"})\n` +
          `  used: ${r.events.length} feedback events, ${r.pairs.length} preference pairs\n` +
          `  skipped: ${skipped || "none"}${r.corruptLines ? `; ${r.corruptLines} corrupt lines` : ""}\n`,
      );
    });
}
