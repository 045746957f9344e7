import type { Command } from "commander";

/**
 * A subcommand whose capability is not built yet. It says so plainly and exits with 3,
 * so a script can tell "not available" apart from "failed". The issue that builds the
 * capability replaces the registration.
 */
export function registerNotBuilt(program: Command, name: string, description: string, issue: string): void {
  program
    .command(name)
    .description(`${description} (not built yet)`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      const path = program.name() === "repotune" ? name : `${program.name()} ${name}`;
      process.stderr.write(`repotune ${path}: not built yet in this version of RepoTune (${issue}).\n`);
      process.exitCode = 3;
    });
}
