// `repotune import-feedback [FILE] [--repo DIR] [--out DIR] [--json]`: Continue's autocomplete
// log (the newest found under ~/.continue/dev_data when FILE is not given) into this
// repository's feedback and preference pairs, with a count of what was used and what skipped.
import type { Command } from "commander";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { continueLogPaths, importFeedback } from "../../core/feedback/import/import-feedback";
import { defaultOutDir } from "./out-dir";

export function registerImportFeedback(program: Command): void {
  program
    .command("import-feedback [file]")
    .description("import Continue's autocomplete log (accepted and rejected suggestions) as feedback events and preference pairs of this repository")
    .option("--repo <dir>", "the repository the suggestions were made in (others in the log are skipped)", process.cwd())
    .option("--out <dir>", "the data folder (default: REPO/.repotune)")
    .option("--json", "print the counts as JSON")
    .action((file: string | undefined, opts: { repo: string; out?: string; json?: boolean }) => {
      const repo = resolve(opts.repo);
      const source = file ? resolve(file) : continueLogPaths().find((p) => existsSync(p));
      if (!source) throw new Error(`no Continue autocomplete log found (looked at ${continueLogPaths().join(", ")}); give its path`);
      const r = importFeedback({ file: source, repo, out: resolve(opts.out ?? defaultOutDir(repo)) });
      const summary = { file: r.file, events: r.events.length, pairs: r.pairs.length, read: r.read, skipped: r.skipped, corruptLines: r.corruptLines };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      const skipped = Object.entries(r.skipped).map(([why, n]) => `${n} ${why}`).join(", ");
      process.stdout.write(
        `${r.file}: ${Object.values(r.read).reduce((a, b) => a + b, 0)} records (${Object.entries(r.read).map(([v, n]) => `${n} of schema ${v}`).join(", ")})\n` +
          `  used: ${r.events.length} feedback events, ${r.pairs.length} preference pairs\n` +
          `  skipped: ${skipped || "none"}${r.corruptLines ? `; ${r.corruptLines} corrupt lines` : ""}\n`,
      );
    });
}
