import type { Command } from "commander";

/**
 * `repotune bench <what>`: benchmarks that print figures (never pass/fail). Each benchmark
 * registers itself in its own file (bench-gather.ts, bench-train.ts, bench-serve.ts) by
 * adding a subcommand to the Command this returns.
 */
export function registerBench(program: Command): Command {
  return program
    .command("bench")
    .description("run a benchmark and print its figures: gather, train, serve")
    .showHelpAfterError();
}
