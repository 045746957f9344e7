import type { Command } from "commander";
import { formatDoctor, runDoctor } from "../../pipeline/doctor";
import { REPOTUNE_VERSION } from "./version";

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("check this machine: Node.js, CPUs, memory, which training backends load, llama.cpp")
    .option("--json", "print the report as JSON")
    .action(async (opts: { json?: boolean }) => {
      const report = await runDoctor(REPOTUNE_VERSION);
      process.stdout.write((opts.json ? JSON.stringify(report, null, 2) : formatDoctor(report)) + "\n");
      // Exit non-zero only when nothing can train or serve: the rest is information.
      const usable = report.node.ok && report.autoBackend !== null && report.llama.available;
      process.exitCode = usable ? 0 : 1;
    });
}
