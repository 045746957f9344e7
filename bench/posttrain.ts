// The post-training report on a real repository: every stage of "Fine-tune on this repo"
// (gather -> tokenizer -> pretrain -> SFT -> DPO + reward model -> distillation -> evaluation
// -> export -> activate), from the one list of stages the worker runs (pipeline/stages), with a
// preset's sizes and steps, printing report.md, each stage's wall time and the whole run's. In
// this process, without the worker; a benchmark, not a test.
//
//   flock /tmp/bench.lock node --import tsx bench/posttrain.ts --repo DIR --out DIR [--preset micro|tiny|small] [--backend auto]
//
// A real codebase no one here wrote, made into a git repository:
//   mkdir /tmp/eslint-rules && cp node_modules/eslint/lib/rules/*.js /tmp/eslint-rules/ &&
//   git -C /tmp/eslint-rules init -q && git -C /tmp/eslint-rules add -A && git -C /tmp/eslint-rules commit -qm import
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { BACKENDS, PRESETS, type BackendName, type PresetName, type WorkerEventBody } from "../src/core/protocol";
import { explainPipelineError } from "../src/pipeline/run/explain-error";
import { runPipeline } from "../src/pipeline/run/orchestrator";
import { resolveBackend } from "../src/pipeline/run/resolve-backend";
import { buildStages } from "../src/pipeline/stages";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { repo: { type: "string" }, out: { type: "string" }, preset: { type: "string", default: "tiny" }, backend: { type: "string", default: "auto" } } });
  if (!values.repo || !values.out) throw new Error("--repo DIR and --out DIR are required");
  if (!(PRESETS as readonly string[]).includes(values.preset!)) throw new Error(`--preset must be one of ${PRESETS.join(", ")}`);
  if (!(BACKENDS as readonly string[]).includes(values.backend!)) throw new Error(`--backend must be one of ${BACKENDS.join(", ")}`);
  const started = Date.now();
  const log = (m: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${m}\n`);
  let lastProgress = 0;
  const listener = (e: WorkerEventBody) => {
    if (e.type === "log") log(e.message);
    else if (e.type === "stage-end") log(`${e.stage}: ${e.status} in ${e.durationSec.toFixed(1)} s${e.reason ? ` (${e.reason})` : ""}`);
    else if (e.type === "progress" && (e.step === e.totalSteps || Date.now() - lastProgress > 10_000)) {
      lastProgress = Date.now();
      log(`${e.stage} ${e.step}/${e.totalSteps} loss ${e.loss.toFixed(3)} ${e.tokensPerSec.toFixed(0)} tok/s, RSS ${e.rssMb.toFixed(0)} MB`);
    }
  };
  const outcome = await runPipeline(
    { repo: resolve(values.repo), out: resolve(values.out), preset: values.preset as PresetName, backend: values.backend as BackendName, resume: false },
    { stages: buildStages(), listener, signal: new AbortController().signal, resolveBackend, explainError: explainPipelineError },
  );
  const report = join(outcome.runDir, "report.md");
  if (existsSync(report)) process.stdout.write(readFileSync(report, "utf8"));
  log(`${outcome.status} in ${((Date.now() - started) / 60000).toFixed(1)} min; ${report}`);
  if (outcome.status !== "done") process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
