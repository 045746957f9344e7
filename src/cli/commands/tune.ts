import type { Command } from "commander";
import { DEFAULT_TARGET_MODULES, LORA_DEFAULTS } from "../../core/formats/lora-config";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { repotuneModelsFolder, resolveBase } from "../../hub";
import { ACTIVATION_POLICIES, BACKENDS, PRESETS, STAGES, type ActivationPolicy, type BackendName, type PresetName, type StageName, type TrainingJob, type WorkerEvent } from "../../core/protocol";
import { TrainingWorkerClient } from "../../worker/clients/training-worker-client";
import { defaultOutDir } from "./out-dir";
import { humanPrinter, jsonPrinter } from "../tune/progress-printer";
import { formatSamples } from "../tune/samples";

interface TuneOptions {
  repo: string;
  out?: string;
  preset: string;
  backend: string;
  stages?: string;
  resume?: boolean;
  minutes?: string;
  replicas?: string;
  activate: string;
  json?: boolean;
  maxHeapMb: string;
  base?: string;
  lora?: string;
  loraRank?: string;
  loraAlpha?: string;
  loraDropout?: string;
  loraTargets?: string;
  baseLoss?: boolean;
  dropAbove?: string;
  easyBelow?: string;
}

function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${what} "${value}" is not one of ${allowed.join(", ")}`);
  return value as T;
}

export function jobFromOptions(opts: TuneOptions): TrainingJob {
  const repo = resolve(opts.repo);
  if (!existsSync(repo)) throw new Error(`--repo ${repo} does not exist`);
  const stages = opts.stages
    ? opts.stages.split(",").map((s) => oneOf<StageName>("stage", s.trim(), STAGES))
    : undefined;
  const minutes = opts.minutes === undefined ? undefined : Number(opts.minutes);
  if (minutes !== undefined && !(minutes > 0)) throw new Error(`--minutes must be a positive number, got "${opts.minutes}"`);
  const replicas = opts.replicas === undefined ? undefined : Number(opts.replicas);
  if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 0 && replicas <= 64)) throw new Error(`--replicas must be a whole number from 0 to 64, got "${opts.replicas}"`);
  return {
    repo,
    out: resolve(opts.out ?? defaultOutDir(repo)),
    preset: oneOf<PresetName>("preset", opts.preset, PRESETS),
    backend: oneOf<BackendName>("backend", opts.backend, BACKENDS),
    stages,
    resume: !!opts.resume,
    minutes,
    ...(replicas !== undefined ? { replicas } : {}),
    activate: oneOf<ActivationPolicy>("activate", opts.activate, ACTIVATION_POLICIES),
    ...(opts.base ? { base: resolveBase(opts.base, { folder: repotuneModelsFolder(), forTraining: true }).path } : {}),
    lora: loraFromOptions(opts),
    ...baseLossFromOptions(opts),
  };
}

/** --drop-above / --easy-below / --no-base-loss: data cleaning with the base (pipeline/data/base-loss.ts). */
function baseLossFromOptions(opts: TuneOptions): Pick<TrainingJob, "baseLoss"> {
  if (opts.baseLoss === false) return { baseLoss: false };
  const nats = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(n >= 0 && Number.isFinite(n))) throw new Error(`${flag} must be a loss in nats per token (0 or more), got "${v}"`);
    return n;
  };
  const hopelessAbove = nats(opts.dropAbove, "--drop-above");
  const easyBelow = nats(opts.easyBelow, "--easy-below");
  if (hopelessAbove === undefined && easyBelow === undefined) return {};
  return { baseLoss: { ...(hopelessAbove !== undefined ? { hopelessAbove } : {}), ...(easyBelow !== undefined ? { easyBelow } : {}) } };
}

/** --lora and its settings; the defaults are LORA_DEFAULTS (core/formats/lora-config.ts). */
function loraFromOptions(opts: TuneOptions): NonNullable<TrainingJob["lora"]> {
  const number = (v: string | undefined, flag: string, ok: (n: number) => boolean, what: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!ok(n)) throw new Error(`${flag} must be ${what}, got "${v}"`);
    return n;
  };
  const r = number(opts.loraRank, "--lora-rank", (n) => Number.isInteger(n) && n >= 1 && n <= 1024, "a whole number from 1 to 1024");
  const alpha = number(opts.loraAlpha, "--lora-alpha", (n) => n > 0 && Number.isFinite(n), "a positive number");
  const dropout = number(opts.loraDropout, "--lora-dropout", (n) => n >= 0 && n < 1, "a number from 0 up to 1");
  const targets = opts.loraTargets?.split(",").map((t) => t.trim()).filter(Boolean);
  const unknown = targets?.filter((t) => !(DEFAULT_TARGET_MODULES as readonly string[]).includes(t));
  if (unknown?.length) throw new Error(`--lora-targets: ${unknown.join(", ")} is not a projection (${DEFAULT_TARGET_MODULES.join(", ")})`);
  return {
    use: oneOf("--lora", opts.lora ?? "auto", ["auto", "always", "never"] as const),
    ...(r !== undefined ? { r } : {}),
    // Alpha follows a changed rank at Refact's ratio (2r) unless given.
    ...(alpha !== undefined ? { alpha } : r !== undefined ? { alpha: 2 * r } : {}),
    ...(dropout !== undefined ? { dropout } : {}),
    ...(targets?.length ? { targetModules: targets } : {}),
  };
}

export function registerTune(program: Command): void {
  program
    .command("tune")
    .description("fine-tune on a repository: gather, tokenizer, pretrain, SFT, DPO, distill, eval, export, activate")
    .option("--repo <dir>", "the repository", process.cwd())
    .option("--out <dir>", "where datasets, checkpoints and runs go (default: REPO/.repotune)")
    .option("--preset <name>", `model size and training length: ${PRESETS.join(", ")}`, "tiny")
    .option("--backend <name>", `training backend: ${BACKENDS.join(", ")}`, "auto")
    .option("--stages <list>", `only these stages, comma-separated (${STAGES.join(",")}); others reuse earlier outputs`)
    .option("--resume", "continue the last run that did not finish, from its last checkpoint")
    .option("--minutes <n>", "fit the run to about this many minutes: the steps scaled, and the LM stages cut to what this machine's measured speed fits their share")
    .option("--activate <when>", `when the new model serves completions: ${ACTIVATION_POLICIES.join(", ")} (if-better: only when it beats the active model, or the base, on the held-out probes)`, "if-better")
    .option("--replicas <n>", "data-parallel replica threads of pretraining and SFT on wasm (default: one a spare core, at most 3, for models 256 wide or more; 0: one thread)")
    .option("--max-heap-mb <mb>", "heap limit of the training worker", "4096")
    .option("--base <path|name>", "start from this pretrained model: a .gguf file, a Hugging Face model folder, or a name from `repotune models` (default: train from scratch)")
    .option("--lora <when>", "LoRA adapters over the base instead of all its weights: auto (a base of 100M+ parameters, or one too large to train whole), always, never", "auto")
    .option("--lora-rank <r>", `LoRA rank (default ${LORA_DEFAULTS.r}; alpha follows at 2r)`)
    .option("--lora-alpha <a>", `LoRA alpha (default ${LORA_DEFAULTS.alpha})`)
    .option("--lora-dropout <p>", `LoRA dropout (default ${LORA_DEFAULTS.dropout})`)
    .option("--lora-targets <list>", `projections with adapters, comma-separated (default all: ${DEFAULT_TARGET_MODULES.join(",")})`)
    .option("--drop-above <nats>", "data cleaning with the base: drop files whose loss under the base is above this (default 3.0 nats/token)")
    .option("--easy-below <nats>", "data cleaning with the base: down-weight files whose loss is below this (default 0.3)")
    .option("--no-base-loss", "no data cleaning with the base: every gathered file trains")
    .option("--json", "print every event as one JSON line")
    .action(async (opts: TuneOptions) => {
      const job = jobFromOptions(opts);
      process.exitCode = await runTune(job, { json: !!opts.json, maxHeapMb: Number(opts.maxHeapMb) || 4096 });
    });
}

/** Native libraries' chatter that says nothing to a user (Dawn looking for Vulkan on a CPU machine). */
function isKnownNoise(line: string): boolean {
  return /Couldn't load Vulkan|BackendVk\.cpp|third_party\/dawn/.test(line);
}

/** Runs one job in a training worker process, printing as it goes. Returns the exit code. */
export async function runTune(job: TrainingJob, options: { json: boolean; maxHeapMb: number }): Promise<number> {
  const printer = options.json ? jsonPrinter(process.stdout) : humanPrinter(process.stdout, process.stdout.isTTY === true);
  const events: WorkerEvent[] = [];
  const client = new TrainingWorkerClient({
    workerScript: join(__dirname, "training-worker.js"),
    maxHeapMb: options.maxHeapMb,
    onEvent: (e) => {
      events.push(e);
      printer.event(e);
    },
    onStderr: (line) => {
      if (!options.json && line.trim() && !isKnownNoise(line)) process.stderr.write(`${line}\n`);
    },
  });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write("\ncancelling at the next step (Ctrl-C again to stop at once)...\n");
      client.cancel();
    } else client.kill();
  };
  process.on("SIGINT", onSigint);
  client.start(job);
  const exit = await client.exited;
  process.off("SIGINT", onSigint);

  const start = events.find((e) => e.type === "run-start");
  if (!options.json && start && start.type === "run-start") {
    const reportMd = join(start.runDir, "report.md");
    // The table, not the configuration and per-model sample lists that follow it in the file.
    if (existsSync(reportMd)) printer.text(`\n${readFileSync(reportMd, "utf8").split("\n## ")[0]!.trim()}\n`);
    const samples = formatSamples(join(start.runDir, "report.json"), 5);
    if (samples) printer.text(samples);
  }
  if (events.some((e) => e.type === "done")) return 0;
  if (events.some((e) => e.type === "stage-end" && e.status === "cancelled")) return 130;
  return exit.code && exit.code !== 0 ? exit.code : 1;
}
