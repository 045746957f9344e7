// The dashboard's state of one run, folded from its events (the same events the worker
// sends live and appends to events.jsonl, so a replay and a live run end in the same state).
// It mutates in place: folding 100,000 progress events into fresh copies each time would be
// quadratic. Nothing here touches the DOM, so node:test runs it directly.
import {
  EVAL_METRICS,
  EVAL_ROWS,
  STAGES,
  type EvalMetric,
  type EvalRowName,
  type EvalValues,
  type StageName,
  type WorkerEvent,
} from "../../../src/core/protocol";

export type StageStatus = "pending" | "running" | "done" | "skipped" | "cancelled" | "failed";
export type RunState = "idle" | "running" | "done" | "failed" | "cancelled";

export interface StageState {
  name: StageName;
  status: StageStatus;
  step: number;
  totalSteps: number;
  etaSec: number | null;
  durationSec: number | null;
  reason: string | null;
  /** What the run's plan said before it started: tokens the stage trains, seconds it should take here (null: not measured yet). */
  plan: { tokens: number; estimateSec: number | null } | null;
}

/** Columnar progress of one stage; x is the run-wide step (the stage's offset + its step). */
export interface StageSeries {
  stage: StageName;
  offset: number;
  x: number[];
  loss: number[];
  lr: number[];
  tokensPerSec: number[];
  rssMb: number[];
  /** Objective scalars by TRL name, aligned with x (NaN where a step did not log it). */
  metrics: Map<string, number[]>;
  evalX: number[];
  evalLoss: number[];
  /** Progress events per kept point: 1 until the stage passed MAX_POINTS, then 2, 4... */
  stride: number;
  /** Progress events seen since the last kept point. */
  pending: number;
}

export interface SampleRow {
  key: string;
  stage: StageName;
  path: string;
  line: number;
  prefix: string;
  truth: string;
  teacher: string | null;
  student: string | null;
}

export interface LogLine {
  time: string;
  level: "info" | "warn" | "error";
  message: string;
}

export interface RunModel {
  runId: string | null;
  runDir: string | null;
  preset: string | null;
  backend: string | null;
  device: string | null;
  /** Epoch ms of the first run-start and of the latest event. */
  startedAt: number | null;
  lastEventAt: number | null;
  state: RunState;
  stages: Record<StageName, StageState>;
  series: Map<StageName, StageSeries>;
  nextOffset: number;
  rssMb: number | null;
  peakRssMb: number | null;
  /** Evaluation numbers seen in eval events, until report.json is there. */
  liveEval: Partial<Record<EvalRowName, EvalValues>>;
  samples: Map<string, SampleRow>;
  logs: LogLine[];
  error: { message: string; hint: string } | null;
  /** Whether the run's model replaced the one serving completions, and why (the activate stage). */
  activation: { activated: boolean; reason: string } | null;
  artifacts: Record<string, string> | null;
  eventCount: number;
}

/**
 * Points kept per stage. A run's log can hold millions of progress events (a long run on a
 * GPU, or a 1 GB events.jsonl); the page keeps at most this many per stage, so its memory does
 * not grow with the log: past it, every other point goes and from then on one event in two
 * (then four...) is kept. A chart is at most a few thousand pixels wide anyway.
 */
export const MAX_POINTS = 20_000;
const MAX_SAMPLES = 200;
const MAX_LOGS = 300;
const EVAL_LOSS_KEYS = ["loss", "eval_loss", "evalLoss", "eval/loss"];
/** Which evaluation row a training stage's own eval event fills. */
const ROW_OF_STAGE: Partial<Record<StageName, EvalRowName>> = {
  pretrain: "pretrain",
  sft: "sft",
  dpo: "dpo",
  rl: "rl",
  distill: "student",
};

export function createRunModel(): RunModel {
  const stages = {} as Record<StageName, StageState>;
  for (const name of STAGES) {
    stages[name] = { name, status: "pending", step: 0, totalSteps: 0, etaSec: null, durationSec: null, reason: null, plan: null };
  }
  return {
    runId: null,
    runDir: null,
    preset: null,
    backend: null,
    device: null,
    startedAt: null,
    lastEventAt: null,
    state: "idle",
    stages,
    series: new Map(),
    nextOffset: 0,
    rssMb: null,
    peakRssMb: null,
    liveEval: {},
    samples: new Map(),
    logs: [],
    error: null,
    activation: null,
    artifacts: null,
    eventCount: 0,
  };
}

function seriesFor(model: RunModel, stage: StageName): StageSeries {
  let s = model.series.get(stage);
  if (!s) {
    // Stages keep their own x range, laid end to end in the order they first ran, so one
    // chart shows the whole run and a resumed stage continues where it stopped.
    s = { stage, offset: model.nextOffset, x: [], loss: [], lr: [], tokensPerSec: [], rssMb: [], metrics: new Map(), evalX: [], evalLoss: [], stride: 1, pending: 0 };
    model.series.set(stage, s);
  }
  return s;
}

/** Keeps every other point of every column (the last one too), and keeps half as many from now on. */
function halve(s: StageSeries): void {
  const keep = <T>(column: T[]): T[] => column.filter((_, i) => i % 2 === 0 || i === column.length - 1);
  s.x = keep(s.x);
  s.loss = keep(s.loss);
  s.lr = keep(s.lr);
  s.tokensPerSec = keep(s.tokensPerSec);
  s.rssMb = keep(s.rssMb);
  for (const [name, column] of s.metrics) s.metrics.set(name, keep(column));
  s.stride *= 2;
}

function reserve(model: RunModel, s: StageSeries, steps: number): void {
  model.nextOffset = Math.max(model.nextOffset, s.offset + steps);
}

/** Folds one validated event into the model. */
export function applyEvent(model: RunModel, event: WorkerEvent): void {
  model.eventCount++;
  const time = Date.parse(event.time);
  if (Number.isFinite(time)) model.lastEventAt = Math.max(model.lastEventAt ?? time, time);
  switch (event.type) {
    case "run-start":
      // A resumed run appends a second run-start to the same log: keep what came before.
      model.runId = event.runId;
      model.runDir = event.runDir;
      model.preset = event.preset;
      model.backend = event.backend;
      model.device = event.device;
      if (model.startedAt === null && Number.isFinite(time)) model.startedAt = time;
      model.state = "running";
      model.error = null;
      return;
    case "stage-start": {
      const st = model.stages[event.stage];
      st.status = "running";
      st.totalSteps = event.totalSteps;
      st.reason = null;
      st.etaSec = null;
      if (model.state === "idle") model.state = "running";
      if (event.totalSteps > 0) reserve(model, seriesFor(model, event.stage), event.totalSteps);
      return;
    }
    case "progress": {
      const st = model.stages[event.stage];
      if (st.status === "pending") st.status = "running";
      st.step = event.step;
      st.totalSteps = event.totalSteps;
      st.etaSec = event.etaSec;
      const s = seriesFor(model, event.stage);
      model.rssMb = event.rssMb;
      model.peakRssMb = Math.max(model.peakRssMb ?? 0, event.rssMb);
      reserve(model, s, Math.max(event.step, event.totalSteps));
      // Past MAX_POINTS only one event in `stride` becomes a point (see MAX_POINTS).
      if (++s.pending < s.stride) return;
      s.pending = 0;
      if (s.x.length >= MAX_POINTS) halve(s);
      const index = s.x.length;
      s.x.push(s.offset + event.step);
      s.loss.push(event.loss);
      s.lr.push(event.lr);
      s.tokensPerSec.push(event.tokensPerSec);
      s.rssMb.push(event.rssMb);
      if (event.metrics) {
        for (const [name, value] of Object.entries(event.metrics)) {
          let column = s.metrics.get(name);
          if (!column) {
            column = new Array<number>(index).fill(Number.NaN);
            s.metrics.set(name, column);
          }
          column.push(value);
        }
      }
      // Columns a step did not log stay aligned with x.
      for (const column of s.metrics.values()) if (column.length < s.x.length) column.push(Number.NaN);
      return;
    }
    case "eval":
      applyEval(model, event.stage, event.metrics);
      return;
    case "sample": {
      const key = `${event.path}:${event.line}`;
      const old = model.samples.get(key);
      // Teacher and student completions of one held-out line may come in separate events.
      const row: SampleRow = {
        key,
        stage: event.stage,
        path: event.path,
        line: event.line,
        prefix: event.prefix,
        truth: event.truth,
        teacher: event.teacher ?? old?.teacher ?? null,
        student: event.student ?? old?.student ?? null,
      };
      model.samples.delete(key);
      model.samples.set(key, row);
      if (model.samples.size > MAX_SAMPLES) {
        const oldest = model.samples.keys().next();
        if (!oldest.done) model.samples.delete(oldest.value);
      }
      return;
    }
    case "plan":
      for (const p of event.stages) model.stages[p.stage].plan = { tokens: p.tokens, estimateSec: p.estimateSec };
      return;
    case "log":
      model.logs.push({ time: event.time, level: event.level, message: event.message });
      if (model.logs.length > MAX_LOGS) model.logs.splice(0, model.logs.length - MAX_LOGS);
      return;
    case "stage-end": {
      const st = model.stages[event.stage];
      st.status = event.status;
      st.durationSec = event.durationSec;
      st.reason = event.reason ?? null;
      st.etaSec = null;
      if (event.status === "done" && st.totalSteps > 0) st.step = st.totalSteps;
      if (event.status === "cancelled") model.state = "cancelled";
      return;
    }
    case "activation":
      model.activation = { activated: event.activated, reason: event.reason };
      return;
    case "done":
      // A cancelled run may still close with done {artifacts} for what it kept.
      model.state = model.state === "cancelled" ? "cancelled" : "done";
      model.artifacts = { ...event.artifacts };
      for (const st of Object.values(model.stages)) if (st.status === "running") st.status = "done";
      return;
    case "error":
      model.state = "failed";
      model.error = { message: event.message, hint: event.hint };
      for (const st of Object.values(model.stages)) {
        if (st.status === "running") {
          st.status = "failed";
          st.reason = event.message;
          st.etaSec = null;
        }
      }
      return;
  }
}

function applyEval(model: RunModel, stage: StageName, metrics: Record<string, number | null>): void {
  // A training stage's eval loss is drawn at the step it was measured.
  const lossKey = EVAL_LOSS_KEYS.find((k) => typeof metrics[k] === "number");
  const s = model.series.get(stage);
  if (lossKey && s) {
    const lastX = s.x.length ? (s.x[s.x.length - 1] as number) : s.offset;
    s.evalX.push(lastX);
    s.evalLoss.push(metrics[lossKey] as number);
  }
  // Evaluation numbers: `exactMatch` etc. on a training stage's event fill that stage's row;
  // `sft/exactMatch` style names (from the eval stage) name their row.
  const own = ROW_OF_STAGE[stage];
  for (const [name, value] of Object.entries(metrics)) {
    const slash = name.indexOf("/");
    const row = slash > 0 ? name.slice(0, slash) : own;
    const metric = slash > 0 ? name.slice(slash + 1) : name;
    if (!row || !(EVAL_ROWS as readonly string[]).includes(row) || !(EVAL_METRICS as readonly string[]).includes(metric)) continue;
    const values = (model.liveEval[row as EvalRowName] ??= {});
    values[metric as EvalMetric] = value;
  }
}

/** How long after its last event a running run's clock keeps ticking on its own. */
const TICK_WITHOUT_EVENTS_MS = 10 * 60_000;

/**
 * Seconds the run has taken: up to now while it runs, up to its last event otherwise. A run
 * whose worker went silent (or died without an end event) stops counting after a while
 * instead of showing days; `live: false` (the host knows the worker is gone) stops it at once.
 */
export function elapsedSec(model: RunModel, now: number, live = true): number | null {
  if (model.startedAt === null) return null;
  const last = model.lastEventAt ?? model.startedAt;
  const end = live && model.state === "running" && now - last < TICK_WITHOUT_EVENTS_MS ? now : last;
  return Math.max(0, (end - model.startedAt) / 1000);
}

/** 0..100 for a stage with a known step count. */
export function stagePercent(st: StageState): number | null {
  if (st.status === "done") return 100;
  if (st.totalSteps <= 0) return null;
  return Math.max(0, Math.min(100, (st.step / st.totalSteps) * 100));
}
