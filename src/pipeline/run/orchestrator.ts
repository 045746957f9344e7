// Runs the stages of "Fine-tune on this repo" in order: each stage is skipped when its
// inputs (settings, files, and everything the stages before it produced) hash the same as
// when it last completed, resumed from its checkpoint when a run was cut off, and reported
// as typed events. Cancellation stops at the next step boundary of the running stage.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describePreset, presetForJob, type Preset } from "../../core/presets";
import { IMPORT_STAGES, STAGES, type StageName, type TrainingJob, type WorkerEventBody } from "../../core/protocol";
import { contentHash } from "./content-hash";
import { EventLog, type EventListener } from "./event-log";
import { markLatest, newRunId, runLayout, type RunLayout } from "../../core/runs/run-layout";
import { resumableRun, type RunRecord, type RunStatus } from "../../core/runs/run-record";
import { RunLock } from "../../core/runs/run-lock";
import { CancelledError, type Artifacts, type Stage, type StageContext } from "./stage";
import { isReusable, readStageRecord, writeStageRecord } from "./stage-record";
import { writeFileAtomicSync as writeFileAtomic } from "../../core/fs/atomic-write";
import { mkdirPrivate } from "../../core/fs/private-files";


export interface PipelineOptions {
  stages: readonly Stage[];
  listener: EventListener;
  signal: AbortSignal;
  /** Resolves `auto` and checks the backend loads; returns its name and the device it runs on. */
  resolveBackend(requested: string): Promise<{ backend: string; device: string }>;
  /** Maps a failure to words a user can act on. */
  explainError?(err: unknown, context: { out: string }): { message: string; hint: string };
  /** What the run will train and how long it should take here, said before the first stage (stages/run-plan.ts). */
  plan?(inputs: { job: TrainingJob; preset: Preset; backend: string; selected: ReadonlySet<StageName> }, log: (message: string) => void): RunPlanner;
}

/** The orchestrator's side of a run's plan. */
export interface RunPlanner {
  event: Extract<WorkerEventBody, { type: "plan" }>;
  text: string;
  timedStep: StageContext["timedStep"];
  recordStage(stage: StageName, durationSec: number, steps: number | null): void;
}

export interface PipelineOutcome {
  runId: string;
  runDir: string;
  status: RunStatus;
  artifacts: Artifacts;
}

const INPUTS_FILE = "inputs.json";

function defaultExplain(err: unknown): { message: string; hint: string } {
  const message = err instanceof Error ? err.message : String(err);
  return { message, hint: "See the RepoTune log (RepoTune: Show log) for details; fix the cause and run again with --resume." };
}

export async function runPipeline(job: TrainingJob, options: PipelineOptions): Promise<PipelineOutcome> {
  // Before anything is written: a second run on this data folder would corrupt the first's.
  const lock = RunLock.acquire(job.out);
  try {
    return await runLocked(job, options);
  } finally {
    lock.release();
  }
}

async function runLocked(job: TrainingJob, options: PipelineOptions): Promise<PipelineOutcome> {
  const resumeFrom = job.resume ? resumableRun(job.out) : undefined;
  const runId = resumeFrom?.runId ?? newRunId();
  const layout = runLayout(job.out, runId);
  mkdirPrivate(layout.runDir); // 0700: see core/fs/private-files.ts
  markLatest(job.out, runId);
  const record: RunRecord = { runId, job, status: "running", startedAt: resumeFrom?.startedAt ?? new Date().toISOString(), pid: process.pid };
  const saveRecord = () => writeFileAtomic(layout.runFile, JSON.stringify(record, null, 2) + "\n");
  saveRecord();

  const log = new EventLog(layout.eventsFile, options.listener);
  const emit = (e: WorkerEventBody) => log.emit(e);
  const explain = options.explainError ?? defaultExplain;
  // An imported model enters as this run's teacher; the base (when known) is what it is judged beside.
  const artifacts: Artifacts = job.imported ? { importedModel: job.imported, teacher: job.imported, ...(job.base ? { base: job.base } : {}) } : {};
  const finish = (status: RunStatus): PipelineOutcome => {
    record.status = status;
    record.endedAt = new Date().toISOString();
    saveRecord();
    log.close();
    return { runId, runDir: layout.runDir, status, artifacts };
  };

  try {
    const preset = presetForJob(job);
    const { backend, device } = await options.resolveBackend(job.backend);
    emit({ type: "run-start", runId, runDir: layout.runDir, preset: preset.name, backend, device });
    emit({ type: "log", level: "info", message: describePreset(preset) });
    if (resumeFrom) emit({ type: "log", level: "info", message: `resuming run ${runId}, which ended ${resumeFrom.status === "running" ? "without finishing" : resumeFrom.status}` });

    const selected = new Set<StageName>(job.stages?.length ? job.stages : job.imported ? IMPORT_STAGES : STAGES);
    const planner = job.imported ? undefined : makePlan(options, { job, preset, backend, selected }, emit);
    if (planner) {
      emit(planner.event);
      emit({ type: "log", level: "info", message: planner.text });
    }
    let previousHash = "";
    for (const stage of options.stages) {
      const status = await runStage(stage, { job, preset, layout, artifacts, backend, previousHash, selected, signal: options.signal, emit, planner });
      previousHash = status.hash;
      if (status.cancelled) return finish("cancelled");
    }
    emit({ type: "done", artifacts });
    return finish("done");
  } catch (err) {
    emit({ type: "error", ...explain(err, { out: job.out }) });
    return finish("failed");
  }
}

/** The run's plan; a plan that cannot be made is said and the run goes on without one (it only estimates). */
function makePlan(options: PipelineOptions, inputs: Parameters<NonNullable<PipelineOptions["plan"]>>[0], emit: (e: WorkerEventBody) => void): RunPlanner | undefined {
  if (!options.plan) return undefined;
  try {
    return options.plan(inputs, (message) => emit({ type: "log", level: "info", message }));
  } catch (err) {
    emit({ type: "log", level: "warn", message: `no estimate of this run's time: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}` });
    return undefined;
  }
}

interface StageRun {
  job: TrainingJob;
  preset: Preset;
  layout: RunLayout;
  artifacts: Artifacts;
  backend: string;
  previousHash: string;
  selected: Set<StageName>;
  signal: AbortSignal;
  emit(e: WorkerEventBody): void;
  planner?: RunPlanner;
}

async function runStage(stage: Stage, r: StageRun): Promise<{ hash: string; cancelled: boolean }> {
  const dir = r.layout.stageDir(stage.name);
  const inputs = stage.inputs({ job: r.job, preset: r.preset, layout: r.layout, artifacts: r.artifacts });
  const hash = await contentHash({ previous: r.previousHash, stage: stage.name, settings: inputs.settings }, inputs.files ?? []);
  const done = readStageRecord(dir, r.layout.out);

  if (!r.selected.has(stage.name)) {
    // Not asked for: the stages after it use what it made last time, whatever its inputs now.
    if (done && Object.values(done.artifacts).every((p) => existsSync(p))) {
      Object.assign(r.artifacts, done.artifacts);
      r.emit({ type: "stage-end", stage: stage.name, status: "skipped", reason: `not in --stages (using its output of ${done.completedAt})`, durationSec: 0 });
      return { hash: done.chainHash ?? done.inputsHash, cancelled: false };
    }
    r.emit({ type: "stage-end", stage: stage.name, status: "skipped", reason: "not in --stages (it has no earlier output)", durationSec: 0 });
    return { hash, cancelled: false };
  }
  if (!stage.alwaysRun && isReusable(done, hash)) {
    Object.assign(r.artifacts, done.artifacts);
    const reason = done.skippedReason ?? `inputs unchanged since ${done.completedAt}`;
    r.emit({ type: "stage-end", stage: stage.name, status: "skipped", reason, durationSec: 0 });
    return { hash, cancelled: false };
  }

  // Continue from a checkpoint only if it was made from these same inputs.
  const inputsFile = join(dir, INPUTS_FILE);
  const partialMatches = existsSync(inputsFile) && readFileSync(inputsFile, "utf8").trim() === hash;
  const resume = r.job.resume && partialMatches;
  if (!resume) rmSync(dir, { recursive: true, force: true });
  mkdirPrivate(dir); // 0700: see core/fs/private-files.ts
  writeFileAtomic(inputsFile, hash + "\n");

  const started = Date.now();
  // The optimizer steps the stage reported (a budget may cut the preset's): its speed for the next plan.
  let trainedSteps: number | null = null;
  const totalSteps = stage.totalSteps(r.preset);
  r.emit({ type: "stage-start", stage: stage.name, totalSteps });
  const ctx: StageContext = {
    job: r.job,
    preset: r.preset,
    layout: r.layout,
    dir,
    artifacts: { ...r.artifacts },
    backend: r.backend,
    resume,
    signal: r.signal,
    timedStep: r.planner?.timedStep ?? null,
    progress: (p) => {
      if (p.unit === undefined) trainedSteps = p.step;
      r.emit({ type: "progress", stage: stage.name, ...p });
    },
    emit: r.emit,
    log: (message, level = "info") => r.emit({ type: "log", level, message: `[${stage.name}] ${message}` }),
  };
  try {
    const result = await stage.run(ctx);
    const durationSec = (Date.now() - started) / 1000;
    Object.assign(r.artifacts, result.artifacts);
    // A stage that always runs (gathering) may produce the same output from changed inputs
    // or new output from the same settings: the stages after it key on what it produced.
    const chainHash = stage.alwaysRun ? await contentHash({ stage: stage.name, outputs: true }, (result.contentFiles ?? Object.values(result.artifacts)).sort()) : hash;
    writeStageRecord(dir, r.layout.out, { inputsHash: hash, chainHash, artifacts: result.artifacts, skippedReason: result.skippedReason, completedAt: new Date().toISOString(), durationSec });
    // A resumed stage's time covers only its last part: not a speed.
    if (!result.skippedReason && !resume) r.planner?.recordStage(stage.name, durationSec, trainedSteps);
    r.emit(
      result.skippedReason
        ? { type: "stage-end", stage: stage.name, status: "skipped", reason: result.skippedReason, durationSec }
        : { type: "stage-end", stage: stage.name, status: "done", durationSec },
    );
    return { hash: chainHash, cancelled: false };
  } catch (err) {
    if (err instanceof CancelledError || r.signal.aborted) {
      r.emit({ type: "stage-end", stage: stage.name, status: "cancelled", reason: "cancelled by the user; the last checkpoint is kept", durationSec: (Date.now() - started) / 1000 });
      return { hash, cancelled: true };
    }
    throw err;
  }
}
