// `repotune bench adapt --repo DIR [--repo DIR ...] [--json]`: the product's claim at CPU scale.
// A small base is pretrained for a fixed number of tokens on a broad corpus of the repository's
// language that does not contain it (TypeScript's own lib/*.d.ts for TypeScript and JavaScript,
// the Python standard library for Python), then fine-tuned with LoRA on the repository, as
// `repotune tune --base` runs it. Both are scored on the repository's held-out files, as the
// editor asks: exact match and accepted characters on the held-out probes, and the loss of every
// line of the held-out files (many more items than probes: the figure that can tell two weak
// models apart), with intervals and the paired tests of tuned against base. Figures, never pass/fail.
//
// Both runs are real `tune` jobs in the training worker, so a second run with the same --out
// reuses the base (the pipeline's stage cache) and only the fine-tuning is redone.
import type { Command } from "commander";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { bootstrapInterval, pairedTest, type Interval } from "../src/core/math/resampling";
import { datasetPaths, type HeldoutProbe } from "../src/core/store/dataset-files";
import { readManifest } from "../src/core/store/dataset-manifest";
import { modelLoss } from "../src/pipeline/evaluation/held-out-loss";
import { openEvaluator } from "../src/pipeline/evaluation/open-evaluator";
import { resolveBackend } from "../src/pipeline/run/resolve-backend";
import { BACKENDS, PRESETS, type PresetName, type TrainingJob, type WorkerEvent } from "../src/core/protocol";
import { presetForJob } from "../src/core/presets";
import type { EvalReport } from "../src/pipeline/evaluation/report";
import type { Comparison } from "../src/pipeline/evaluation/compare-models";
import { readStageRecord } from "../src/pipeline/run/stage-record";
import { TrainingWorkerClient } from "../src/worker/clients/training-worker-client";

export type AdaptLanguage = "typescript" | "python";

/** Where each language's base corpus comes from on this machine: broad code, never the target. */
export function corpusFiles(language: AdaptLanguage, root: string): string[] {
  if (language === "typescript") {
    const lib = join(root, "node_modules", "typescript", "lib");
    if (!existsSync(lib)) throw new Error(`${lib} is missing: run npm ci first (TypeScript's lib/*.d.ts is the TypeScript base corpus)`);
    return readdirSync(lib).filter((f) => /^lib\..*\.d\.ts$/.test(f)).map((f) => join(lib, f));
  }
  const dirs = readdirSync("/usr/lib").filter((d) => /^python3\.\d+$/.test(d)).map((d) => join("/usr/lib", d));
  if (!dirs.length) throw new Error("no /usr/lib/python3.X: install python3 (its standard library is the Python base corpus)");
  // The top-level modules only: no site-packages or dist-packages (where a target could live), no tests.
  return readdirSync(dirs[0]!).filter((f) => f.endsWith(".py")).map((f) => join(dirs[0]!, f));
}

/** The language most of a repository's tracked files are in. */
export function repoLanguage(repo: string): AdaptLanguage {
  const files = execFileSync("git", ["-C", repo, "ls-files"], { encoding: "utf8", maxBuffer: 64 << 20 }).split("\n");
  const count = (exts: string[]) => files.filter((f) => exts.includes(extname(f))).length;
  const py = count([".py"]);
  const ts = count([".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"]);
  if (!py && !ts) throw new Error(`${repo}: no TypeScript, JavaScript or Python files tracked by git (bench adapt has base corpora for those only)`);
  return py > ts ? "python" : "typescript";
}

/** The corpus as a git repository of one commit: what `tune` gathers from. */
function makeCorpusRepo(files: readonly string[], dest: string): { files: number; bytes: number } {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  let bytes = 0;
  for (const f of files) {
    cpSync(f, join(dest, basename(f)));
    bytes += statSync(f).size;
  }
  const git = (...args: string[]) => execFileSync("git", ["-C", dest, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false", ...args], { stdio: "ignore" });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "base corpus");
  return { files: files.length, bytes };
}

/** Runs one job in the training worker, as `repotune tune` does; throws with the run's own error. */
async function runJob(job: TrainingJob, root: string, onLine: (line: string) => void): Promise<{ runDir: string; artifacts: Record<string, string>; seconds: number }> {
  const events: WorkerEvent[] = [];
  const started = performance.now();
  const client = new TrainingWorkerClient({
    // The built worker (npm run build), from the CLI bundle and from the sources alike.
    workerScript: join(root, "out", "training-worker.js"),
    maxHeapMb: 4096,
    onEvent: (e) => {
      events.push(e);
      if (e.type === "stage-end") onLine(`  ${e.stage}: ${e.status}${e.reason ? ` (${e.reason})` : ""} ${e.durationSec.toFixed(0)} s`);
      if (e.type === "log" && /step takes|steps fit|vocabulary/.test(e.message)) onLine(`    ${e.message}`);
    },
  });
  client.start(job);
  await client.exited;
  const start = events.find((e) => e.type === "run-start");
  const done = events.find((e) => e.type === "done");
  const error = events.find((e) => e.type === "error");
  if (!start || start.type !== "run-start" || !done || done.type !== "done") {
    throw new Error(`the run on ${job.repo} did not finish: ${error && error.type === "error" ? error.message : "the worker ended without a result"}`);
  }
  return { runDir: start.runDir, artifacts: done.artifacts, seconds: (performance.now() - started) / 1000 };
}

export interface AdaptFigures {
  exactMatch: number | null;
  exactMatchCi: Interval | null;
  acceptedChars: number | null;
  acceptedCharsCi: Interval | null;
  /**
   * Held-out loss: every line of the held-out files in the repository's language, each line's
   * bits per UTF-8 byte given the text before it, averaged over lines, with its 95% bootstrap
   * interval (the paired test compares the same lines).
   */
  loss: number | null;
  lossCi: Interval | null;
  /** report.json's bitsPerByte: the held-out probes' targets only. */
  probeLoss: number | null;
}

export interface AdaptResult {
  repo: string;
  language: AdaptLanguage;
  corpus: { files: number; bytes: number; tokensTrained: number; steps: number; seconds: number };
  /** Seconds of the LoRA stages (continued pretraining and SFT). */
  tuneSeconds: number;
  heldoutProbes: number;
  /** Held-out files of the language and their lines the loss is measured on. */
  lossFiles: number;
  lossLines: number;
  base: AdaptFigures;
  tuned: AdaptFigures;
  /** Which row of the run is "tuned": its last LoRA stage. */
  tunedRow: string;
  /** p of the paired test of held-out loss (per line), tuned against base. */
  pValue: number | null;
  /** Each figure's paired difference tuned - base and its p. */
  comparisons: Record<"exactMatch" | "acceptedChars" | "loss", { delta: number; p: number } | null>;
  runDir: string;
}

export interface AdaptOptions {
  repos: string[];
  out: string;
  preset: PresetName;
  /** Pretraining steps of the base (each the preset's batch x context tokens). */
  baseSteps: number;
  backend: TrainingJob["backend"];
  /** The repository's root: node_modules (the TypeScript corpus) and out/ (the training worker). */
  root: string;
  log: (line: string) => void;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export async function runAdaptBench(o: AdaptOptions): Promise<AdaptResult[]> {
  const bases = new Map<AdaptLanguage, { dir: string; corpus: AdaptResult["corpus"] }>();
  const results: AdaptResult[] = [];
  for (const repo of o.repos) {
    const language = repoLanguage(repo);
    if (!bases.has(language)) {
      const corpusDir = join(o.out, `corpus-${language}`);
      const made = makeCorpusRepo(corpusFiles(language, o.root), corpusDir);
      const job: TrainingJob = { repo: corpusDir, out: join(o.out, `base-${language}`), preset: o.preset, backend: o.backend, resume: false, activate: "never", stages: ["gather", "tokenizer", "pretrain"], steps: { pretrain: o.baseSteps } };
      const preset = presetForJob(job);
      o.log(`base (${language}): ${made.files} files, ${(made.bytes / 1e6).toFixed(1)} MB; pretraining ${o.baseSteps} steps of ${preset.batchSize} x ${preset.teacher.contextLength} tokens`);
      const run = await runJob(job, o.root, o.log);
      const dir = run.artifacts.pretrainModel;
      if (!dir) throw new Error(`the base run on ${corpusDir} made no pretrained model (see ${run.runDir})`);
      // The pretraining's own time, also when this run reused it.
      const seconds = readStageRecord(join(job.out, "stages", "pretrain"), job.out)?.durationSec ?? run.seconds;
      bases.set(language, { dir, corpus: { ...made, steps: o.baseSteps, tokensTrained: o.baseSteps * preset.batchSize * preset.teacher.contextLength, seconds: Math.round(seconds) } });
    }
    const base = bases.get(language)!;
    o.log(`${repo}: LoRA over the ${language} base`);
    // Data cleaning is off: its thresholds (Refact's 3.0 nats) are for a real base; a 3.4M-parameter
    // base finds most files of any repository "hopeless" and would train on few of them.
    const job: TrainingJob = { repo, out: join(o.out, `tune-${basename(repo)}`), preset: o.preset, backend: o.backend, resume: false, activate: "never", base: base.dir, lora: { use: "always" }, baseLoss: false, stages: ["gather", "tokenizer", "pretrain", "sft", "eval"] };
    const run = await runJob(job, o.root, o.log);
    // The evaluation's own files: the run's folder gets copies only when the activate stage runs.
    const tuned = run.artifacts.sftModel ?? run.artifacts.pretrainModel;
    if (!run.artifacts.report || !tuned) throw new Error(`the run on ${repo} wrote no report or no fine-tuned model (see ${run.runDir})`);
    // The fine-tuning stages' own time (continued pretraining and SFT), also when reused.
    const tuneSeconds = (["pretrain", "sft"] as const).reduce((t, stage) => t + (readStageRecord(join(job.out, "stages", stage), job.out)?.durationSec ?? 0), 0);
    o.log(`${repo}: held-out loss of the base and the tuned model on every line of the held-out files`);
    const loss = await heldoutFileLoss(repo, join(job.out, "dataset"), language, { base: base.dir, tuned });
    results.push(readAdaptResult(dirname(run.artifacts.report), { repo, language, corpus: base.corpus, tuneSeconds: Math.round(tuneSeconds) }, loss));
  }
  return results;
}

/** Characters before a line a scorer gets: more than a small model's context holds, so it keeps what fits. */
const LINE_PREFIX_CHARS = 2048;

/** Each non-blank line of a file after its first as a loss probe: the line (with its newline) given the text before it. */
export function lineProbes(path: string, text: string): HeldoutProbe[] {
  const out: HeldoutProbe[] = [];
  let at = 0;
  text.split("\n").forEach((line, i) => {
    const target = line + "\n";
    if (at > 0 && line.trim() !== "") out.push({ path, line: i + 1, prefix: text.slice(Math.max(0, at - LINE_PREFIX_CHARS), at), suffix: "", target, mode: "line" });
    at += target.length;
  });
  return out;
}

/** The loss of base and tuned on every line of the run's held-out files in `language`, paired by line. */
async function heldoutFileLoss(repo: string, datasetDir: string, language: AdaptLanguage, models: { base: string; tuned: string }): Promise<{ files: number; lines: number; base: (number | null)[]; tuned: (number | null)[] }> {
  const exts = language === "python" ? [".py"] : [".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"];
  const paths = readManifest(datasetPaths(datasetDir).manifest).split.heldoutPaths.filter((p) => exts.includes(extname(p)));
  const probes = paths.flatMap((p) => lineProbes(p, readFileSync(join(repo, p), "utf8")));
  const lossOf = async (dir: string) => {
    // llama.cpp as the editor serves; a context too small for it falls back to tfjs, which needs a backend here.
    const opened = await openEvaluator(dir, "llama", 16, async () => void (await resolveBackend("auto")));
    try {
      return (await modelLoss(opened.evaluator, probes)).perProbe;
    } finally {
      await opened.dispose();
    }
  };
  return { files: paths.length, lines: probes.length, base: await lossOf(models.base), tuned: await lossOf(models.tuned) };
}

/** The figures of one fine-tuning run, from the report.json and eval-items.json in `evalDir`, and the held-out files' loss. */
export function readAdaptResult(evalDir: string, about: Pick<AdaptResult, "repo" | "language" | "corpus" | "tuneSeconds">, loss: { files: number; lines: number; base: (number | null)[]; tuned: (number | null)[] }): AdaptResult {
  const report = JSON.parse(readFileSync(join(evalDir, "report.json"), "utf8")) as EvalReport;
  const tunedRow = (["sft", "pretrain"] as const).find((r) => report.stages[r]);
  if (!report.stages.base || !tunedRow) throw new Error(`${evalDir}: the report has no base row or no fine-tuned row`);
  const both = loss.base.flatMap((b, i) => (typeof b === "number" && typeof loss.tuned[i] === "number" ? [i] : []));
  const figures = (row: "base" | "sft" | "pretrain", perLine: (number | null)[]): AdaptFigures => {
    const s = report.stages[row]!;
    const lines = both.map((i) => perLine[i]!);
    return { exactMatch: s.exactMatch, exactMatchCi: s.exactMatchCi, acceptedChars: s.acceptedChars, acceptedCharsCi: s.acceptedCharsCi, loss: mean(lines), lossCi: bootstrapInterval(lines), probeLoss: s.bitsPerByte ?? null };
  };
  const find = (metric: Comparison["metric"]) => {
    const c = report.comparisons.find((x) => x.a === "base" && x.b === tunedRow && x.metric === metric);
    return c ? { delta: c.delta, p: c.p } : null;
  };
  const paired = both.length ? pairedTest(both.map((i) => loss.base[i]!), both.map((i) => loss.tuned[i]!)) : null;
  return {
    ...about,
    heldoutProbes: report.stages.base.heldoutItems,
    lossFiles: loss.files,
    lossLines: both.length,
    base: figures("base", loss.base),
    tuned: figures(tunedRow, loss.tuned),
    tunedRow,
    pValue: paired?.p ?? null,
    comparisons: { exactMatch: find("exactMatch"), acceptedChars: find("acceptedChars"), loss: paired ? { delta: paired.delta, p: paired.p } : null },
    runDir: evalDir,
  };
}

const pct = (x: number | null, ci: Interval | null) => (x === null ? "–" : `${(100 * x).toFixed(1)}% [${ci ? `${(100 * ci[0]).toFixed(1)}, ${(100 * ci[1]).toFixed(1)}` : "–"}]`);
const bits = (x: number | null, ci: Interval | null) => (x === null ? "–" : `${x.toFixed(3)} [${ci ? `${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}` : "–"}]`);
const delta = (c: { delta: number; p: number } | null, scale: number, unit: string) => (c ? `${c.delta >= 0 ? "+" : ""}${(scale * c.delta).toFixed(scale === 1 ? 3 : 1)}${unit} (p ${c.p.toFixed(3)})` : "–");

export function formatAdaptBench(results: readonly AdaptResult[]): string {
  const lines = ["| repository | language | model | exact match | accepted chars | held-out loss, bits/byte (lines of held-out files) | probes' targets |", "| --- | --- | --- | ---: | ---: | ---: | ---: |"];
  for (const r of results) {
    for (const [name, f] of [["base", r.base], [`tuned (${r.tunedRow})`, r.tuned]] as const) {
      lines.push(`| ${basename(r.repo)} | ${r.language} | ${name} | ${pct(f.exactMatch, f.exactMatchCi)} | ${pct(f.acceptedChars, f.acceptedCharsCi)} | ${bits(f.loss, f.lossCi)} | ${f.probeLoss === null ? "–" : f.probeLoss.toFixed(3)} |`);
    }
  }
  lines.push("");
  for (const r of results) {
    lines.push(
      `${basename(r.repo)}: base pretrained ${r.corpus.tokensTrained.toLocaleString("en-US")} tokens (${r.corpus.steps} steps) on ${r.corpus.files} ${r.language} files (${(r.corpus.bytes / 1e6).toFixed(1)} MB) in ${r.corpus.seconds} s; fine-tuned in ${r.tuneSeconds} s; ${r.heldoutProbes} held-out probes; loss on ${r.lossLines} lines of ${r.lossFiles} held-out ${r.language} files.`,
      `  tuned - base: exact match ${delta(r.comparisons.exactMatch, 100, " pts")}, accepted chars ${delta(r.comparisons.acceptedChars, 100, " pts")}, loss ${delta(r.comparisons.loss, 1, " bits/byte")}`,
    );
  }
  return lines.join("\n");
}

export function registerBenchAdapt(bench: Command): void {
  bench
    .command("adapt")
    .description("pretrain a small base on a broad corpus of the repository's language, fine-tune it on the repository with LoRA, and compare both on its held-out files")
    .option("--repo <dir>", "a git repository to fine-tune on (repeat for more)", (v: string, all: string[]) => [...all, v], [] as string[])
    .option("--out <dir>", "where the corpora and runs go (kept, so a second run reuses the base)", ".cache/bench/adapt")
    .option("--preset <name>", `the model's size and the fine-tuning's length: ${PRESETS.join(", ")}`, "tiny")
    .option("--base-steps <n>", "pretraining steps of the base (each the preset's batch x context tokens)", "800")
    .option("--backend <name>", "training backend", "auto")
    .option("--json", "print the figures as JSON (one object per repository)")
    .action(async (flags: { repo: string[]; out: string; preset: string; baseSteps: string; backend: string; json?: boolean }) => {
      if (!flags.repo.length) throw new Error("--repo is required: a git repository of TypeScript, JavaScript or Python");
      if (!(PRESETS as readonly string[]).includes(flags.preset)) throw new Error(`--preset must be one of ${PRESETS.join(", ")}`);
      if (!(BACKENDS as readonly string[]).includes(flags.backend)) throw new Error(`--backend must be one of ${BACKENDS.join(", ")}`);
      const baseSteps = Number(flags.baseSteps);
      if (!(Number.isInteger(baseSteps) && baseSteps >= 1)) throw new Error(`--base-steps must be a positive whole number, got "${flags.baseSteps}"`);
      const results = await runAdaptBench({
        repos: flags.repo.map((r) => resolve(r)),
        out: resolve(flags.out),
        preset: flags.preset as PresetName,
        baseSteps,
        backend: flags.backend as TrainingJob["backend"],
        root: resolve(__dirname, ".."),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(`${flags.json ? JSON.stringify(results.length === 1 ? results[0] : results, null, 2) : formatAdaptBench(results)}\n`);
    });
}
