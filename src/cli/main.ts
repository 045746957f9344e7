// The `repotune` command: the same pipeline as the extension, headless.
import { Command } from "commander";
import { registerBench } from "./commands/bench";
import { registerBenchGather } from "../../bench/gather";
import { registerBenchAdapt } from "../../bench/adapt";
import { registerBenchTrain } from "./commands/bench-train";
import { registerComplete } from "./commands/complete";
import { registerDoctor } from "./commands/doctor";
import { registerTune } from "./commands/tune";
import { registerEval } from "./commands/eval";
import { registerExport } from "./commands/export";
import { registerGather } from "./commands/gather";
import { registerModels } from "./commands/models";
import { registerImportFeedback } from "./commands/import-feedback";
import { registerImport } from "./commands/import";
import { registerBenchServe } from "../../bench/serve";
import { REPOTUNE_VERSION } from "./commands/version";

export function buildProgram(): Command {
  const program = new Command("repotune")
    .description("Fine-tune a personal coding copilot on your repository, on your machine.")
    .version(REPOTUNE_VERSION)
    .showHelpAfterError();
  registerGather(program);
  registerTune(program);
  registerEval(program);
  registerComplete(program);
  registerExport(program);
  registerModels(program);
  registerImport(program);
  registerImportFeedback(program);
  const bench = registerBench(program);
  registerBenchGather(bench);
  registerBenchTrain(bench);
  registerBenchServe(bench);
  registerBenchAdapt(bench);
  registerDoctor(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`repotune: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
