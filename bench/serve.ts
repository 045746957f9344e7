// `repotune bench serve [--model FILE] [--json]`: completion latency end to end, request to
// final text, through the forked completion server (IPC, queue, post-processing and cache
// included), with the editor's completion context (core/completion: token budget, post-processing), per mode (line, block)
// and per model (the student and the teacher of a `tiny` run: their ratio is what
// distillation buys); cache hits; and node-llama-cpp called directly on the same GGUF with
// the same prompt tokens and stop rule (our overhead). Figures, never pass/fail; the targets
// (issue "Inline completions", 2-core CPU, tiny student): p50 <= 50 ms and p95 <= 150 ms in
// line mode, cache hits <= 5 ms, overhead <= 10%.
//
// Without --model it is self-contained: it trains (or reuses) a `tiny` run on a fixture
// repository, a git copy of an installed npm package's sources (mocha's lib/), cached under
// .cache/bench/serve/ and keyed by the package's version and the tiny preset.
import type { Command } from "commander";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import type { Token } from "node-llama-cpp";
import { getPreset } from "../src/core/presets";
import type { TrainingJob, WorkerEvent } from "../src/core/protocol";
import { readActiveModel } from "../src/core/runs/active-model";
import { readRunRecord } from "../src/core/runs/run-record";
import { SPECIAL_TOKENS } from "../src/core/tokenizer/special-tokens";
import { CompletionServerClient } from "../src/worker/clients/completion-server-client";
import { TrainingWorkerClient } from "../src/worker/clients/training-worker-client";
import { loadLlama } from "../src/serve/llama-runtime";
import { buildFimPrompt, completionContext, DEFAULT_COMPLETION_SETTINGS, placeLines, postprocess, reachedEnd, type CompletionMode } from "../src/core/completion";
import { defaultThreads } from "../src/serve/threads";
import { MODEL_SHAPES } from "./model-shapes";
import { formatShapeServeBench, runShapeServeBench } from "./serve-shape";

/** Places need at least this much text around them, so every request fills the editor's token budget. */
export const PREFIX_CHARS = 1500;
export const SUFFIX_CHARS = 300;
/** The editor's defaults (repotune.completions.*): the same budget and limit in every request. */
const { budget: BUDGET, maxTokens: MAX_TOKENS } = DEFAULT_COMPLETION_SETTINGS;
/**
 * Pause before each request: the server's prefetch of the suggestion after the previous one
 * (up to 64 tokens) ends in it, as it does while the user reads a suggestion, so each request
 * finds the server idle. With back-to-back requests it waits for the prefetch to stop instead.
 */
const DEFAULT_GAP_MS = 600;
const MODES: readonly CompletionMode[] = ["line", "block"];
const FIXTURE_PACKAGE = "mocha";
const FIXTURE_FOLDER = "lib";
const TARGETS = { lineP50Ms: 50, lineP95Ms: 150, cacheHitMs: 5, overheadPct: 10 };

export interface Place {
  file: string;
  prefix: string;
  suffix: string;
  mode: CompletionMode;
}

export interface LatencyFigures {
  n: number;
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
}

export interface ModeFigures extends LatencyFigures {
  /** Exact repeats of measured requests, answered from the server's cache. */
  cacheHitMs: number;
  /** The first character of a cached suggestion typed: served from the cache too. */
  typeThroughMs: number | null;
  /** Share of requests whose answer was empty after post-processing. */
  emptyShare: number;
  /**
   * node-llama-cpp called directly: same GGUF, prompt tokens, stop rule and thread count;
   * `sameTextShare`: how often its post-processed text equals the server's (1: the same work).
   */
  direct: LatencyFigures & {
    meanTokens: number;
    /** p50 of the time to the first generated token (the prompt's evaluation). */
    firstTokenMs: number;
    /** p50 of the time per generated token after the first. */
    msPerToken: number;
    sameTextShare: number;
  };
  /** Median over the places of (ours - direct) for the same place, in ms. */
  overheadMs: number;
  /** overheadMs over the direct p50, in percent. */
  overheadPct: number;
}

export interface ModelFigures {
  name: string;
  path: string;
  device: string;
  /** Server start to 'ready' (fork, model load, context). */
  loadMs: number;
  modes: Record<CompletionMode, ModeFigures>;
}

export interface ServeBenchResult {
  prefixChars: number;
  suffixChars: number;
  maxTokens: number;
  gapMs: number;
  threads: number;
  fixture: string | null;
  models: ModelFigures[];
  /**
   * Teacher over student, when both were measured: end-to-end p50 per mode (which also counts
   * how many tokens each chose to write), and the cost of the same work (first token, per token).
   */
  teacherOverStudent: Partial<Record<CompletionMode | "firstToken" | "perToken", number>>;
  targets: typeof TARGETS & { met: Record<string, boolean> };
  machine: { cpu: string; cores: number; loadAvg1: number; node: string };
}

// ---------------------------------------------------------------- the fixture run

/** The folder of an installed package, found from this bundle (out/) or this source file upwards. */
export function installedPackage(name: string): { dir: string; version: string } {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, "node_modules", name, "package.json");
    if (existsSync(pkg)) return { dir: dirname(pkg), version: (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version };
  }
  throw new Error(`the fixture package ${name} is not installed (npm install in RepoTune's folder), or pass --model FILE.gguf`);
}

function run(cmd: string, args: string[], cwd: string): void {
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** A git repository holding a copy of the package's sources (made once). */
function fixtureRepo(root: string, pkg: { dir: string; version: string }): string {
  const repo = join(root, "repo");
  if (existsSync(join(repo, ".git"))) return repo;
  rmSync(repo, { recursive: true, force: true });
  cpSync(join(pkg.dir, FIXTURE_FOLDER), join(repo, FIXTURE_FOLDER), { recursive: true });
  run("git", ["init", "-q", "-b", "main"], repo);
  run("git", ["add", "-A"], repo);
  run("git", ["-c", "user.name=RepoTune bench", "-c", "user.email=bench@repotune.invalid", "-c", "commit.gpgsign=false", "commit", "-q", "-m", `${FIXTURE_PACKAGE} ${pkg.version} ${FIXTURE_FOLDER}/`], repo);
  return repo;
}

/** The student and teacher GGUFs of a finished run in `out`, if there is one. */
function finishedRun(out: string): { student: string; teacher: string } | undefined {
  const active = readActiveModel(out);
  if (!active || readRunRecord(out, active.runId)?.status !== "done") return undefined;
  const dir = dirname(active.gguf);
  const models = { student: join(dir, "student.gguf"), teacher: join(dir, "teacher.gguf") };
  return existsSync(models.student) && existsSync(models.teacher) ? models : undefined;
}

/** Trains (or reuses, or resumes) the `tiny` run on the fixture repository, in a training worker. */
async function tinyRun(cacheRoot: string, log: (line: string) => void): Promise<{ student: string; teacher: string; fixture: string; repo: string }> {
  const pkg = installedPackage(FIXTURE_PACKAGE);
  const preset = getPreset("tiny");
  const key = createHash("sha256").update(JSON.stringify(preset)).digest("hex").slice(0, 10);
  const root = join(cacheRoot, `${FIXTURE_PACKAGE}-${pkg.version}-tiny-${key}`);
  const fixture = `${FIXTURE_PACKAGE}@${pkg.version} ${FIXTURE_FOLDER}/ (${root})`;
  const out = join(root, "out");
  const cached = finishedRun(out);
  if (cached) {
    log(`reusing the tiny run in ${out}`);
    return { ...cached, fixture, repo: join(root, "repo") };
  }
  mkdirSync(root, { recursive: true });
  const repo = fixtureRepo(root, pkg);
  log(`training a tiny run on ${fixture} (several minutes on 2 cores; reused next time)`);
  const job: TrainingJob = { repo, out, preset: "tiny", backend: "auto", resume: existsSync(join(out, "runs")) };
  const started = Date.now();
  let failure = "";
  const client = new TrainingWorkerClient({
    workerScript: join(__dirname, "training-worker.js"),
    maxHeapMb: 4096,
    onEvent: (e: WorkerEvent) => {
      if (e.type === "stage-end") log(`  ${e.stage} ${e.status}${e.durationSec ? ` in ${e.durationSec.toFixed(1)} s` : ""}`);
      if (e.type === "error") failure = `${e.message} ${e.hint}`;
    },
  });
  client.start(job);
  await client.exited;
  const done = finishedRun(out);
  if (!done) throw new Error(`the tiny run on the fixture did not finish: ${failure || "see above"}`);
  log(`tiny run done in ${Math.round((Date.now() - started) / 1000)} s`);
  return { ...done, fixture, repo };
}

// ---------------------------------------------------------------- places

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? (e.name === ".git" || e.name === "node_modules" ? [] : sourceFiles(join(dir, e.name))) : /\.(js|ts|mjs|cjs)$/.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}

/**
 * Places to complete at, spread evenly over the files, each with at least 1,500 characters
 * before it and 300 after. Line mode: halfway through a line of code, the rest of the line not
 * typed yet. Block mode: a new line opened below a line ending with `{`, indented like the
 * line that follows it.
 */
export function completionPlaces(files: readonly string[], mode: CompletionMode, count: number): Place[] {
  const all: Place[] = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n");
    let offset = 0;
    lines.forEach((line, i) => {
      const start = offset;
      offset += line.length + 1;
      const end = start + line.length;
      const body = line.trim();
      if (mode === "line") {
        if (body.length < 12 || body.startsWith("//") || body.startsWith("*") || body.startsWith("/*")) return;
        const indent = line.length - line.trimStart().length;
        const cut = start + indent + Math.ceil(body.length / 2);
        if (cut < PREFIX_CHARS || text.length - end < SUFFIX_CHARS) return;
        all.push({ file, ...completionContext(text.slice(0, cut), text.slice(end), { budget: BUDGET, mode }) });
      } else {
        const next = lines[i + 1] ?? "";
        if (!body.endsWith("{") || next.trim() === "") return;
        const indent = next.slice(0, next.length - next.trimStart().length);
        if (indent.length <= line.length - line.trimStart().length) return;
        const prefix = `${text.slice(0, end)}\n${indent}`;
        if (prefix.length < PREFIX_CHARS || text.length - end < SUFFIX_CHARS) return;
        all.push({ file, ...completionContext(prefix, text.slice(end), { budget: BUDGET, mode }) });
      }
    });
  }
  if (all.length < count) throw new Error(`only ${all.length} ${mode}-mode places in the fixture, ${count} wanted`);
  return Array.from({ length: count }, (_, k) => all[Math.floor(((k + 0.5) * all.length) / count)]!);
}

// ---------------------------------------------------------------- measuring

export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function figures(ms: readonly number[]): LatencyFigures {
  return { n: ms.length, p50Ms: round(percentile(ms, 50)), p95Ms: round(percentile(ms, 95)), meanMs: round(ms.reduce((a, b) => a + b, 0) / ms.length) };
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The forked completion server, asked as the extension asks it; each answer timed from request to final text. */
async function startServer(modelPath: string, threads: number) {
  const client = new CompletionServerClient({ serverScript: join(__dirname, "completion-server.js"), modelPath, threads });
  const started = performance.now();
  await client.start();
  const loadMs = performance.now() - started;
  const ask = async (p: Place) => {
    const t0 = performance.now();
    const r = await client.complete({ prefix: p.prefix, suffix: p.suffix, languageId: "javascript", maxTokens: MAX_TOKENS, mode: p.mode, budget: BUDGET });
    const ms = performance.now() - t0;
    if (r.kind !== "completion") throw new Error(`the completion server answered ${r.kind}${r.kind === "error" ? `: ${r.message}` : ""}`);
    return { ms, text: r.text, cached: r.cached };
  };
  return { ask, loadMs, device: () => client.device, dispose: () => client.dispose() };
}

/**
 * node-llama-cpp called directly in this process: the same GGUF, context size and threads as
 * the server's engine, the same FIM prompt tokens, greedy decoding stopped by the same rule.
 * What it leaves out is ours: the process boundary, the queue, post-processing, the cache.
 */
async function startDirect(modelPath: string, threads: number) {
  const llama = await loadLlama({ gpu: false });
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const contextSize = Math.min(model.trainContextSize, 4096);
  const context = await model.createContext({ contextSize, batchSize: Math.min(contextSize, 512), threads, sequences: 1 });
  const sequence = context.getSequence();
  const { prefix: fimPrefix, suffix: fimSuffix, middle } = model.tokens.infill;
  if (fimPrefix === null || fimSuffix === null || middle === null) throw new Error(`${modelPath} has no fill-in-the-middle tokens`);
  const stopIds = new Set<number>();
  for (const special of SPECIAL_TOKENS) {
    const ids = model.tokenize(special, true);
    if (ids.length === 1) stopIds.add(ids[0] as number);
  }
  const generate = async (p: Place) => {
    const t0 = performance.now();
    const maxTokens = Math.min(MAX_TOKENS, Math.floor(context.contextSize / 2));
    const maxPromptTokens = context.contextSize - maxTokens - 1;
    const prompt = buildFimPrompt(model.tokenize(p.prefix, false) as number[], model.tokenize(p.suffix, false) as number[], { prefix: fimPrefix, suffix: fimSuffix, middle }, { maxPromptTokens, suffixShare: 0.25, ...BUDGET }) as Token[];
    await sequence.clearHistory();
    const lines = placeLines(p);
    const generated: Token[] = [];
    let text = "";
    let firstTokenMs = 0;
    for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
      if (generated.length === 0) firstTokenMs = performance.now() - t0;
      if (stopIds.has(token) || model.isEogToken(token)) break;
      generated.push(token);
      text = model.detokenize(generated);
      if (reachedEnd(text, lines) || generated.length >= maxTokens) break;
    }
    const ms = performance.now() - t0;
    return { ms, tokens: generated.length, firstTokenMs, msPerToken: generated.length > 1 ? (ms - firstTokenMs) / (generated.length - 1) : null, text: postprocess(text, p).text };
  };
  const dispose = async () => {
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  };
  return { generate, dispose };
}

interface PairedFigures {
  device: string;
  loadMs: number;
  modes: Record<CompletionMode, { ms: number[]; empty: number; cacheMs: number[]; typeThroughMs: number[]; directMs: number[]; directTokens: number[]; firstTokenMs: number[]; msPerToken: number[]; sameText: number }>;
}

/**
 * Each place asked of the server, then generated directly, alternately, with a pause after each
 * (the server's prefetch of the next suggestion finishes in it, as during a pause in typing):
 * both see the same load. Then repeats of the first places, answered from the server's cache.
 */
async function measureModel(modelPath: string, places: Record<CompletionMode, Place[]>, warmup: Place[], o: { cacheRepeats: number; threads: number; gapMs: number }): Promise<PairedFigures> {
  const server = await startServer(modelPath, o.threads);
  try {
    const direct = await startDirect(modelPath, o.threads);
    try {
      for (const p of warmup) {
        await server.ask(p);
        await sleep(o.gapMs);
        await direct.generate(p);
      }
      const modes = {} as PairedFigures["modes"];
      for (const mode of MODES) {
        const m: PairedFigures["modes"][CompletionMode] = { ms: [], empty: 0, cacheMs: [], typeThroughMs: [], directMs: [], directTokens: [], firstTokenMs: [], msPerToken: [], sameText: 0 };
        const answers: string[] = [];
        for (const [i, p] of places[mode].entries()) {
          // Which goes first alternates, so neither side always follows the other's work.
          const timeDirect = async () => {
            await sleep(o.gapMs);
            return direct.generate(p);
          };
          const d0 = i % 2 === 1 ? await timeDirect() : undefined;
          await sleep(o.gapMs);
          const r = await server.ask(p);
          if (r.cached) throw new Error("a first request was answered from the cache: the places repeat");
          const d = d0 ?? (await timeDirect());
          m.ms.push(r.ms);
          answers.push(r.text);
          if (!r.text) m.empty++;
          m.directMs.push(d.ms);
          m.directTokens.push(d.tokens);
          m.firstTokenMs.push(d.firstTokenMs);
          if (d.msPerToken !== null) m.msPerToken.push(d.msPerToken);
          if (d.text === r.text) m.sameText++;
        }
        for (const [i, p] of places[mode].slice(0, o.cacheRepeats).entries()) {
          await sleep(o.gapMs);
          const hit = await server.ask(p);
          if (!hit.cached) throw new Error("a repeated request was not answered from the cache");
          m.cacheMs.push(hit.ms);
          const text = answers[i]!;
          if (text.length > 1) {
            await sleep(o.gapMs);
            const through = await server.ask({ ...p, prefix: p.prefix + text[0] });
            if (through.cached) m.typeThroughMs.push(through.ms);
          }
        }
        modes[mode] = m;
      }
      return { device: server.device(), loadMs: server.loadMs, modes };
    } finally {
      await direct.dispose();
    }
  } finally {
    server.dispose();
  }
}

export interface ServeBenchOptions {
  /** A GGUF to measure instead of the fixture run's student and teacher. */
  model?: string;
  requests: number;
  cacheRepeats: number;
  threads?: number;
  gapMs: number;
  cacheDir: string;
  log(line: string): void;
}

export async function runServeBench(o: ServeBenchOptions): Promise<ServeBenchResult> {
  const threads = o.threads ?? defaultThreads();
  let models: { name: string; path: string }[];
  let fixture: string | null = null;
  let files: string[];
  if (o.model) {
    const path = resolve(o.model);
    if (!existsSync(path)) throw new Error(`--model ${path} does not exist`);
    models = [{ name: basename(path, ".gguf"), path }];
    // Places come from the fixture package's sources (no training needed for them).
    files = sourceFiles(join(installedPackage(FIXTURE_PACKAGE).dir, FIXTURE_FOLDER));
  } else {
    const run = await tinyRun(o.cacheDir, o.log);
    fixture = run.fixture;
    models = [
      { name: "student", path: run.student },
      { name: "teacher", path: run.teacher },
    ];
    files = sourceFiles(run.repo);
  }
  const places = { line: completionPlaces(files, "line", o.requests), block: completionPlaces(files, "block", o.requests) };
  // Warm-up places: others than the measured ones (a repeat would be a cache hit).
  const extra = completionPlaces(files, "line", o.requests + 3).filter((p) => !places.line.some((q) => q.prefix === p.prefix)).slice(0, 2);

  const measured: ModelFigures[] = [];
  for (const m of models) {
    o.log(`${m.name}: ${o.requests} places per mode, through the completion server and with node-llama-cpp directly (${statSync(m.path).size >> 10} KiB GGUF)`);
    const paired = await measureModel(m.path, places, extra, { cacheRepeats: o.cacheRepeats, threads, gapMs: o.gapMs });
    const modes = {} as Record<CompletionMode, ModeFigures>;
    for (const mode of MODES) {
      const s = paired.modes[mode];
      const ours = figures(s.ms);
      const base = figures(s.directMs);
      modes[mode] = {
        ...ours,
        cacheHitMs: round(percentile(s.cacheMs, 50)),
        typeThroughMs: s.typeThroughMs.length ? round(percentile(s.typeThroughMs, 50)) : null,
        emptyShare: round(s.empty / s.ms.length, 3),
        direct: {
          ...base,
          meanTokens: round(s.directTokens.reduce((a, b) => a + b, 0) / s.directTokens.length, 1),
          firstTokenMs: round(percentile(s.firstTokenMs, 50)),
          msPerToken: round(percentile(s.msPerToken, 50), 3),
          sameTextShare: round(s.sameText / s.ms.length, 3),
        },
        overheadMs: round(percentile(s.ms.map((ms, i) => ms - s.directMs[i]!), 50)),
        overheadPct: round((100 * percentile(s.ms.map((ms, i) => ms - s.directMs[i]!), 50)) / base.p50Ms, 1),
      };
    }
    measured.push({ name: m.name, path: m.path, device: paired.device, loadMs: Math.round(paired.loadMs), modes });
  }

  const student = measured.find((m) => m.name === "student") ?? measured[0]!;
  const teacher = measured.find((m) => m.name === "teacher");
  const teacherOverStudent: ServeBenchResult["teacherOverStudent"] = {};
  if (teacher && teacher !== student) {
    for (const mode of MODES) teacherOverStudent[mode] = round(teacher.modes[mode].p50Ms / student.modes[mode].p50Ms);
    const both = (f: (m: ModelFigures) => number) => round(f(teacher) / f(student));
    teacherOverStudent.firstToken = both((m) => (m.modes.line.direct.firstTokenMs + m.modes.block.direct.firstTokenMs) / 2);
    teacherOverStudent.perToken = both((m) => (m.modes.line.direct.msPerToken + m.modes.block.direct.msPerToken) / 2);
  }
  const line = student.modes.line;
  return {
    prefixChars: PREFIX_CHARS,
    suffixChars: SUFFIX_CHARS,
    maxTokens: MAX_TOKENS,
    gapMs: o.gapMs,
    threads,
    fixture,
    models: measured,
    teacherOverStudent,
    targets: {
      ...TARGETS,
      met: {
        lineP50Ms: line.p50Ms <= TARGETS.lineP50Ms,
        lineP95Ms: line.p95Ms <= TARGETS.lineP95Ms,
        cacheHitMs: Math.max(...MODES.map((m) => student.modes[m].cacheHitMs)) <= TARGETS.cacheHitMs,
        overheadPct: line.overheadPct <= TARGETS.overheadPct,
      },
    },
    machine: { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, loadAvg1: round(loadavg()[0] ?? 0), node: process.version },
  };
}

export function formatServeBench(r: ServeBenchResult): string {
  const rows = [`completion latency, end to end through the completion server: prefix ${r.prefixChars} chars, suffix ${r.suffixChars}, at most ${r.maxTokens} tokens, a ${r.gapMs} ms pause before each request, ${r.threads} thread(s)`];
  if (r.fixture) rows.push(`models of the tiny run on ${r.fixture}`);
  rows.push("", "model    mode   n    p50Ms  p95Ms  meanMs  cacheHitMs  typeThroughMs  empty  direct p50/p95 (tokens, same text)          overhead");
  for (const m of r.models) {
    for (const mode of MODES) {
      const f = m.modes[mode];
      rows.push(
        [
          m.name.padEnd(8),
          mode.padEnd(6),
          String(f.n).padEnd(4),
          String(f.p50Ms).padStart(6),
          String(f.p95Ms).padStart(6),
          String(f.meanMs).padStart(7),
          String(f.cacheHitMs).padStart(11),
          String(f.typeThroughMs ?? "–").padStart(14),
          `${Math.round(f.emptyShare * 100)}%`.padStart(6),
          `${f.direct.p50Ms}/${f.direct.p95Ms} (${f.direct.meanTokens}, ${Math.round(f.direct.sameTextShare * 100)}%)`.padStart(35),
          `${f.overheadMs} ms, ${f.overheadPct}%`.padStart(16),
        ].join(" "),
      );
    }
  }
  rows.push("");
  for (const m of r.models) rows.push(`${m.name}: ${m.path} on ${m.device}, server ready in ${m.loadMs} ms`);
  for (const m of r.models) {
    const per = MODES.map((mode) => `${mode} ${m.modes[mode].direct.firstTokenMs} ms to the first token, ${m.modes[mode].direct.msPerToken} ms per token after it`);
    rows.push(`${m.name} (direct): ${per.join("; ")}`);
  }
  for (const [what, ratio] of Object.entries(r.teacherOverStudent)) {
    rows.push(`teacher / student, ${what === "firstToken" ? "time to the first token" : what === "perToken" ? "time per token" : `end-to-end p50 in ${what} mode`}: ${ratio}x`);
  }
  const t = r.targets;
  const mark = (ok: boolean | undefined) => (ok ? "met" : "not met");
  rows.push(
    `targets (first model, line mode): p50 <= ${t.lineP50Ms} ms ${mark(t.met.lineP50Ms)}, p95 <= ${t.lineP95Ms} ms ${mark(t.met.lineP95Ms)}, cache hits <= ${t.cacheHitMs} ms ${mark(t.met.cacheHitMs)}, overhead <= ${t.overheadPct}% ${mark(t.met.overheadPct)}`,
    `machine: ${r.machine.cpu} x ${r.machine.cores}, load average ${r.machine.loadAvg1}, Node ${r.machine.node}`,
  );
  return rows.join("\n");
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

export function registerBenchServe(bench: Command): void {
  bench
    .command("serve")
    .description("completion latency end to end (p50, p95, cache hits) per mode and model, and our overhead over node-llama-cpp called directly")
    .option("--model <file>", "a GGUF to measure (default: the student and teacher of a tiny run on a fixture repository, trained once and cached)")
    .option("--shape <name>", `a base's exact shape with random Q8_0 weights (${Object.keys(MODEL_SHAPES).join(", ")}): first-token latency cold and warm, and per token`)
    .option("--requests <n>", "measured requests per mode", "40")
    .option("--cache-repeats <n>", "repeated requests per mode, answered from the cache", "10")
    .option("--threads <n>", "CPU threads for llama.cpp (default: as the completion server chooses)")
    .option("--gap-ms <n>", "pause before each request (the server's prefetch ends in it)", String(DEFAULT_GAP_MS))
    .option("--cache <dir>", "where the fixture run is kept", join(__dirname, "..", ".cache", "bench", "serve"))
    .option("--prepare", "only train (or find) the fixture run, and exit: the training need not hold a benchmark lock")
    .option("--json", "print the result as JSON")
    .action(async (opts: { model?: string; shape?: string; requests: string; cacheRepeats: string; threads?: string; gapMs: string; cache: string; prepare?: boolean; json?: boolean }) => {
      if (opts.shape) {
        const threads = opts.threads === undefined ? undefined : positiveInt("threads", opts.threads);
        const r = await runShapeServeBench({ shape: opts.shape, cacheDir: resolve(opts.cache), threads, log: (line) => process.stderr.write(`${line}\n`) });
        const json = { shape: r.shape, threads: r.threads, firstTokenMsCold: r.firstTokenMsCold, firstTokenMsWarm: r.firstTokenMsWarm, perTokenMs: r.perTokenMs };
        process.stdout.write(`${opts.json ? JSON.stringify(json) : formatShapeServeBench(r)}\n`);
        return;
      }
      if (opts.prepare) {
        const run = await tinyRun(resolve(opts.cache), (line) => process.stderr.write(`${line}\n`));
        process.stdout.write(`${opts.json ? JSON.stringify(run) : `student ${run.student}\nteacher ${run.teacher}`}\n`);
        return;
      }
      const result = await runServeBench({
        model: opts.model,
        requests: positiveInt("requests", opts.requests),
        cacheRepeats: positiveInt("cache-repeats", opts.cacheRepeats),
        threads: opts.threads === undefined ? undefined : positiveInt("threads", opts.threads),
        gapMs: Number(opts.gapMs) >= 0 ? Number(opts.gapMs) : DEFAULT_GAP_MS,
        cacheDir: resolve(opts.cache),
        // Progress goes to stderr so --json output stays one parseable document.
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(`${opts.json ? JSON.stringify(result, null, 2) : formatServeBench(result)}\n`);
    });
}
