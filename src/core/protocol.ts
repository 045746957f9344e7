// The messages that cross a process boundary: extension host <-> training worker,
// extension host <-> completion server, extension host <-> dashboard webview.
// Every message carries the protocol version and is validated on receipt, because the
// other side may be an older build (a worker left running across an extension update)
// or a hand-edited events.jsonl.
import type { CompletionBudget } from "./completion/context";
import type { RepoContext } from "./completion/repo-prompt";
import type { CompletionMode } from "./completion/place";
import { previewValue } from "./untrusted/preview-value";

export const PROTOCOL_VERSION = 1;

export const STAGES = [
  "gather",
  "tokenizer",
  "pretrain",
  "sft",
  "dpo",
  "rl",
  "distill",
  "eval",
  "export",
  "activate",
] as const;
export type StageName = (typeof STAGES)[number];

export const PRESETS = ["micro", "tiny", "small", "base"] as const;

/**
 * When a run's model replaces the one serving completions: only when it is better on the
 * held-out probes (the default), whatever it scored, or never (the run only reports).
 */
export const ACTIVATION_POLICIES = ["if-better", "always", "never"] as const;
export type ActivationPolicy = (typeof ACTIVATION_POLICIES)[number];
export type PresetName = (typeof PRESETS)[number];

export const BACKENDS = ["auto", "wasm", "webgpu", "tensorflow", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];

// ---------------------------------------------------------------- training worker

export interface TrainingJob {
  repo: string;
  out: string;
  preset: PresetName;
  backend: BackendName;
  stages?: StageName[];
  resume: boolean;
  minutes?: number;
  /**
   * Steps of these stages instead of the preset's (after --minutes): a fixed amount of work,
   * as `bench adapt` pretrains its base for a set number of tokens.
   */
  steps?: Partial<Record<"pretrain" | "sft" | "dpo" | "reward" | "rl" | "distill", number>>;
  /**
   * Data-parallel replica threads for the language-model stages on the wasm backend (Node runs
   * one wasm engine a thread); absent: one fewer than the cores, at most 3, for models 256
   * wide or more (a smaller one trains no faster on more threads).
   */
  replicas?: number;
  /** Default "if-better". */
  activate?: ActivationPolicy;
  /**
   * The pretrained model the run starts from: a .gguf file or a Hugging Face folder, already
   * resolved to a path on this machine (hub/resolve-base). Absent: a model is trained from
   * scratch on a tokenizer of the repository's own, and the run says it is weak.
   */
  base?: string;
  /**
   * LoRA adapters over the base instead of all of its weights: "auto" (the default) for a base
   * of 100M parameters or more, or one too large to train whole here; "always"; "never" (a
   * base too large then serves as it is). Rank, alpha, dropout and target modules default to
   * core/formats/lora-config.ts LORA_DEFAULTS.
   */
  lora?: { use?: "auto" | "always" | "never"; r?: number; alpha?: number; dropout?: number; targetModules?: string[] };
  /**
   * Data cleaning with the base (pipeline/data/base-loss.ts): files whose loss under the base
   * is above `hopelessAbove` (default 3.0 nats/token) are dropped, below `easyBelow` (0.3)
   * down-weighted; false turns it off. Only in runs from a base.
   */
  baseLoss?: { hopelessAbove?: number; easyBelow?: number } | false;
  /**
   * A model trained elsewhere (`repotune import`), already made a Hugging Face folder of this
   * workspace: the run evaluates it on the held-out files, exports and activates it by the same
   * rule as a model trained here, and trains nothing (IMPORT_STAGES).
   */
  imported?: string;
}

/** The stages of an import run: the dataset (for the held-out files), then as a trained model. */
export const IMPORT_STAGES = ["gather", "eval", "export", "activate"] as const satisfies readonly StageName[];

/** Host -> training worker. */
export type WorkerCommand =
  | { v: typeof PROTOCOL_VERSION; type: "start"; job: TrainingJob }
  | { v: typeof PROTOCOL_VERSION; type: "cancel" };

export interface ProgressEvent {
  type: "progress";
  stage: StageName;
  step: number;
  totalSteps: number;
  loss: number;
  lr: number;
  tokensPerSec: number;
  etaSec: number;
  rssMb: number;
  /** Objective-specific scalars with TRL's names (rewards/margins, kl, ...). */
  metrics?: Record<string, number>;
  /**
   * What step counts when the stage does not train (its loss, lr and tokens/s are then 0 and
   * mean nothing): "% of files", "probes", "models"... Absent: optimizer steps.
   */
  unit?: string;
}

/** One training stage of a run's plan, said before the run starts (pipeline/run/run-plan.ts). */
export interface StagePlan {
  stage: StageName;
  /** Optimizer steps: the preset's (or --minutes'), at most; a time budget may cut them. */
  steps: number;
  /** Tokens the stage trains on at most: steps x rows a step x tokens a row (RL: tokens sampled). */
  tokens: number;
  /** Seconds on this machine and backend; null where nothing was measured yet. */
  estimateSec: number | null;
  /** What the estimate is from: a step timed before the run, or this stage's speed in an earlier run here. */
  basis: "timed now" | "earlier run" | null;
  /** The stage's time budget (LoRA stages, and every LM stage under --minutes). */
  budgetSec?: number;
}

/** Training worker -> host; also one line each in the run's events.jsonl. */
export type WorkerEvent = { v: typeof PROTOCOL_VERSION; time: string } & (
  | { type: "run-start"; runId: string; runDir: string; preset: PresetName; backend: string; device: string }
  | { type: "plan"; stages: StagePlan[]; estimateSec: number | null; minutes: number | null }
  | { type: "stage-start"; stage: StageName; totalSteps: number }
  | ProgressEvent
  | { type: "eval"; stage: StageName; metrics: Record<string, number | null> }
  | { type: "sample"; stage: StageName; path: string; line: number; prefix: string; truth: string; teacher?: string; student?: string }
  | { type: "log"; level: "info" | "warn" | "error"; message: string }
  | { type: "stage-end"; stage: StageName; status: "done" | "skipped" | "cancelled"; reason?: string; durationSec: number }
  | { type: "activation"; activated: boolean; policy: ActivationPolicy; reason: string; runId: string }
  | { type: "done"; artifacts: Record<string, string> }
  | { type: "error"; message: string; hint: string }
);
export type WorkerEventType = WorkerEvent["type"];

// ---------------------------------------------------------------- completion server

export interface CompletionRequest {
  v: typeof PROTOCOL_VERSION;
  type: "complete";
  id: string;
  prefix: string;
  suffix: string;
  languageId: string;
  maxTokens: number;
  mode: CompletionMode;
  /** Most prefix and suffix tokens the model sees (core/completion/context); default the editor's. */
  budget?: CompletionBudget;
  /** The repository-level prompt's header: repository, file path, other open files. */
  repo?: RepoContext;
}

export interface ServingFilter {
  mode: "off" | "balanced" | "strict";
  rewardModelDir: string;
  /** Candidates per place, 2 to 8; absent or 1: the greedy one only. */
  bestOf?: number;
}

export type ServerCommand =
  | CompletionRequest
  | { v: typeof PROTOCOL_VERSION; type: "cancel"; id: string }
  | {
      v: typeof PROTOCOL_VERSION;
      type: "load";
      modelPath: string;
      threads?: number;
      /** A GGUF LoRA adapter applied over modelPath (a LoRA run's model over its base). */
      lora?: string;
      /**
       * The reward model in this folder judges completions (issue 15): it holds back those it scores
       * under the mode's threshold (its filter.json; "off" holds nothing back), and with bestOf n > 1
       * picks the best of the greedy completion and n - 1 sampled ones.
       */
      filter?: ServingFilter;
    };

export type ServerReply = { v: typeof PROTOCOL_VERSION } & (
  | { type: "ready"; modelPath: string; device: string }
  | { type: "completion"; id: string; text: string; latencyMs: number; cached: boolean; /** The filter held a suggestion back: text is "". */ heldBack?: boolean }
  | { type: "cancelled"; id: string }
  | { type: "error"; id?: string; message: string; hint: string }
);

// ---------------------------------------------------------------- validation

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

type Check = (value: unknown) => boolean;
const isString: Check = (v) => typeof v === "string";
const isNumber: Check = (v) => typeof v === "number" && !Number.isNaN(v);
const isBoolean: Check = (v) => typeof v === "boolean";
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const oneOf = (values: readonly string[]): Check => (v) => typeof v === "string" && values.includes(v);
const optional = (c: Check): Check => (v) => v === undefined || c(v);
const isPositiveInt = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v) && v > 0;
/** A repository context of bounded size: a name, a path, at most 32 other files of 64 KB each. */
const isRepoContext: Check = (v) => {
  if (!isRecord(v) || typeof v.name !== "string" || typeof v.path !== "string" || v.name.length > 256 || v.path.length > 4096) return false;
  if (v.files === undefined) return true;
  return Array.isArray(v.files) && v.files.length <= 32 && v.files.every((f) => isRecord(f) && typeof f.path === "string" && f.path.length <= 4096 && typeof f.text === "string" && f.text.length <= 65_536);
};
const recordOf = (c: Check): Check => (v) => isRecord(v) && Object.values(v).every(c);
const arrayOf = (c: Check): Check => (v) => Array.isArray(v) && v.every(c);
const isStage = oneOf(STAGES);

type Shape = Record<string, Check>;

const jobShape: Shape = {
  repo: isString,
  out: isString,
  preset: oneOf(PRESETS),
  backend: oneOf(BACKENDS),
  stages: optional(arrayOf(isStage)),
  resume: isBoolean,
  minutes: optional(isNumber),
  steps: optional((v) => isRecord(v) && Object.entries(v).every(([k, n]) => ["pretrain", "sft", "dpo", "reward", "rl", "distill"].includes(k) && Number.isInteger(n) && (n as number) >= 0)),
  replicas: optional((v) => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 64),
  activate: optional(oneOf(ACTIVATION_POLICIES)),
  base: optional((v) => typeof v === "string" && v.length > 0),
  imported: optional((v) => typeof v === "string" && v.length > 0),
  lora: optional(isLoraChoice),
  baseLoss: optional((v) => v === false || (isRecord(v) && [(v as Record<string, unknown>).hopelessAbove, (v as Record<string, unknown>).easyBelow].every((x) => x === undefined || (typeof x === "number" && Number.isFinite(x) && x >= 0)))),
};

function isStagePlan(v: unknown): boolean {
  if (!isRecord(v)) return false;
  const p = v as Record<string, unknown>;
  return isStage(p.stage) && isNumber(p.steps) && isNumber(p.tokens) && (p.estimateSec === null || isNumber(p.estimateSec)) && (p.basis === null || p.basis === "timed now" || p.basis === "earlier run") && (p.budgetSec === undefined || isNumber(p.budgetSec));
}

function isLoraChoice(v: unknown): boolean {
  if (!isRecord(v)) return false;
  const l = v as Record<string, unknown>;
  const positive = (x: unknown) => x === undefined || (typeof x === "number" && Number.isFinite(x) && x > 0);
  return (
    (l.use === undefined || ["auto", "always", "never"].includes(l.use as string)) &&
    (l.r === undefined || (Number.isInteger(l.r) && (l.r as number) >= 1 && (l.r as number) <= 1024)) &&
    positive(l.alpha) &&
    (l.dropout === undefined || (typeof l.dropout === "number" && l.dropout >= 0 && l.dropout < 1)) &&
    (l.targetModules === undefined || (Array.isArray(l.targetModules) && l.targetModules.length > 0 && l.targetModules.every((m) => typeof m === "string")))
  );
}

const workerCommandShapes: Record<string, Shape> = {
  start: { job: (v) => isRecord(v) && fieldsMatch(v, jobShape) === undefined },
  cancel: {},
};

const workerEventShapes: Record<string, Shape> = {
  "run-start": { runId: isString, runDir: isString, preset: oneOf(PRESETS), backend: isString, device: isString },
  plan: { stages: arrayOf(isStagePlan), estimateSec: (v) => v === null || isNumber(v), minutes: (v) => v === null || isNumber(v) },
  "stage-start": { stage: isStage, totalSteps: isNumber },
  progress: {
    stage: isStage,
    step: isNumber,
    totalSteps: isNumber,
    loss: isNumber,
    lr: isNumber,
    tokensPerSec: isNumber,
    etaSec: isNumber,
    rssMb: isNumber,
    metrics: optional(recordOf(isNumber)),
    unit: optional(isString),
  },
  eval: { stage: isStage, metrics: recordOf((v) => v === null || isNumber(v)) },
  sample: {
    stage: isStage,
    path: isString,
    line: isNumber,
    prefix: isString,
    truth: isString,
    teacher: optional(isString),
    student: optional(isString),
  },
  log: { level: oneOf(["info", "warn", "error"]), message: isString },
  "stage-end": {
    stage: isStage,
    status: oneOf(["done", "skipped", "cancelled"]),
    reason: optional(isString),
    durationSec: isNumber,
  },
  activation: { activated: isBoolean, policy: oneOf(ACTIVATION_POLICIES), reason: isString, runId: isString },
  done: { artifacts: recordOf(isString) },
  error: { message: isString, hint: isString },
};

const serverCommandShapes: Record<string, Shape> = {
  complete: {
    id: isString,
    prefix: isString,
    suffix: isString,
    languageId: isString,
    maxTokens: isNumber,
    mode: oneOf(["line", "block"]),
    budget: optional((v) => typeof v === "object" && v !== null && isPositiveInt((v as CompletionBudget).prefixTokens) && isPositiveInt((v as CompletionBudget).suffixTokens) && ((v as CompletionBudget).extraTokens === undefined || isCount((v as CompletionBudget).extraTokens))),
    repo: optional(isRepoContext),
  },
  cancel: { id: isString },
  load: {
    modelPath: isString,
    threads: optional(isNumber),
    lora: optional((v) => typeof v === "string" && v.length > 0),
    filter: optional(isServingFilter),
  },
};

function isServingFilter(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  const f = v as Partial<Record<keyof ServingFilter, unknown>>;
  return ["off", "balanced", "strict"].includes(f.mode as string) && typeof f.rewardModelDir === "string" && (f.bestOf === undefined || (Number.isInteger(f.bestOf) && (f.bestOf as number) >= 1 && (f.bestOf as number) <= 8));
}

const serverReplyShapes: Record<string, Shape> = {
  ready: { modelPath: isString, device: isString },
  completion: { id: isString, text: isString, latencyMs: isNumber, cached: isBoolean, heldBack: optional(isBoolean) },
  cancelled: { id: isString },
  error: { id: optional(isString), message: isString, hint: isString },
};

/** Returns the name of the first field that does not match, or undefined. */
function fieldsMatch(value: Record<string, unknown>, shape: Shape): string | undefined {
  for (const [key, check] of Object.entries(shape)) {
    if (!check(value[key])) return key;
  }
  return undefined;
}

function validate<T>(
  what: string,
  raw: unknown,
  shapes: Record<string, Shape>,
  extra: Shape = {},
): T {
  if (!isRecord(raw)) throw new ProtocolError(`${what}: expected an object, got ${describe(raw)}`);
  if (raw.v !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      `${what}: protocol version ${previewValue(raw.v, 40)} is not ${PROTOCOL_VERSION}; restart VS Code so both sides run the same RepoTune build`,
    );
  }
  const type = raw.type;
  if (typeof type !== "string" || !Object.hasOwn(shapes, type)) {
    throw new ProtocolError(`${what}: unknown message type ${previewValue(type, 60)}; expected one of ${Object.keys(shapes).join(", ")}`);
  }
  const bad = fieldsMatch(raw, { ...extra, ...shapes[type] });
  if (bad !== undefined) {
    throw new ProtocolError(`${what} "${type}": field "${bad}" is missing or has the wrong type (got ${describe(raw[bad])})`);
  }
  return raw as T;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  return typeof v === "object" ? "an object" : `${typeof v} ${String(v)}`;
}

export const parseWorkerCommand = (raw: unknown): WorkerCommand =>
  validate<WorkerCommand>("worker command", raw, workerCommandShapes);
export const parseWorkerEvent = (raw: unknown): WorkerEvent =>
  validate<WorkerEvent>("worker event", raw, workerEventShapes, { time: isString });
export const parseServerCommand = (raw: unknown): ServerCommand =>
  validate<ServerCommand>("server command", raw, serverCommandShapes);
export const parseServerReply = (raw: unknown): ServerReply =>
  validate<ServerReply>("server reply", raw, serverReplyShapes);

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type WorkerEventBody = DistributiveOmit<WorkerEvent, "v" | "time">;

/** Stamps an event body with the protocol version and the current time. */
export function makeWorkerEvent(body: WorkerEventBody, now: Date = new Date()): WorkerEvent {
  return { v: PROTOCOL_VERSION, time: now.toISOString(), ...body } as WorkerEvent;
}

// ---------------------------------------------------------------- dashboard webview
// The page never reads files: the host replays a run's events.jsonl, reads report.json,
// the dataset's manifest.json and feedback/events.jsonl, and sends what the page draws.

/** Actions the dashboard's buttons ask the extension host to carry out. */
export const DASHBOARD_ACTIONS = [
  "fineTune",
  "cancelTraining",
  "resume",
  "exportModel",
  "exportDataset",
  "useModel",
  "openDataFolder",
  "showLog",
] as const;
export type DashboardAction = (typeof DASHBOARD_ACTIONS)[number];

export const EXPORT_FORMATS = ["gguf", "hf"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Rows of report.json's `stages` (the models compared) and the numbers of each. */
/** "imported": a model trained elsewhere and brought back with `repotune import`. */
export const EVAL_ROWS = ["base", "pretrain", "sft", "dpo", "rl", "imported", "student"] as const;
export type EvalRowName = (typeof EVAL_ROWS)[number];
export const EVAL_METRICS = ["exactMatch", "acceptedChars", "editSimilarity", "preferenceAccuracy", "latencyMsP50", "heldoutItems"] as const;
export type EvalMetric = (typeof EVAL_METRICS)[number];
export type EvalValues = Partial<Record<EvalMetric, number | null>>;
/** report.json, reduced to what the dashboard shows (unknown rows and fields dropped by the host). */
export interface RunReport {
  stages: Partial<Record<EvalRowName, EvalValues | null>>;
  /** report.json's serving filter on held-out places (null figures: nothing to measure). */
  filter?: ReportFilter;
}

export interface ReportFilter {
  mode: "balanced" | "strict";
  heldBackShare: number | null;
  exactMatchShown: number | null;
  exactMatchAll: number | null;
  addedLatencyMsP50: number | null;
  /** The reward model's AUC of "accepted" on those places. */
  auc: number | null;
}

export const RUN_STATUSES = ["running", "done", "failed", "cancelled", "incomplete"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** One entry of the run picker. */
export interface RunInfo {
  id: string;
  startedAt: string | null;
  preset: string | null;
  status: RunStatus;
}

/** The dataset's manifest.json, reduced by the host to what the dataset panel shows. */
export interface DatasetSummary {
  filesKept: number;
  filesExcluded: number;
  excludedByReason: Record<string, number>;
  /** At most the first few thousand; `filesExcluded` is the full count. */
  excluded: { path: string; reason: string }[];
  samplesByKind: Record<string, number>;
  tokens: Record<string, number>;
}

/** feedback/events.jsonl, summed up by the host (the page never sees the users' code). */
export interface FeedbackSummary {
  accepted: number;
  rejected: number;
  partial: number;
  /** Over time buckets (start of the bucket, ISO): completions shown and how many were taken. */
  overTime: { start: string; shown: number; taken: number }[];
  /** Rejected or partial completions with what the user wrote instead, since the newest finished run started. */
  pairsWaiting: number;
  /** Lines of the file that could not be read (torn or malformed). */
  skipped: number;
}

/** Webview -> host. */
export type DashboardRequest = { v: typeof PROTOCOL_VERSION } & (
  | { type: "ready"; runId?: string }
  | { type: "selectRun"; runId: string }
  | { type: "action"; action: DashboardAction; preset?: PresetName; format?: ExportFormat; runId?: string }
);

/** The host's view of the workspace (built by extension.ts). */
export interface DashboardOverview {
  v: typeof PROTOCOL_VERSION;
  type: "overview";
  workspaceName: string;
  trusted: boolean;
  running: boolean;
  activeModel: string | null;
  message: string;
  defaultPreset?: PresetName;
  /** This window's completion filter since it started: suggestions judged, and held back. */
  filter?: { mode: "balanced" | "strict"; judged: number; heldBack: number };
}

/** Host -> webview. */
export type DashboardUpdate =
  | DashboardOverview
  | ({ v: typeof PROTOCOL_VERSION } & (
      | { type: "runs"; runs: RunInfo[]; selected: string | null }
      /** A batch of the selected run's events; `reset` starts the run over (a replay). */
      | { type: "events"; runId: string; reset: boolean; events: WorkerEvent[] }
      | { type: "report"; runId: string; report: RunReport | null }
      | { type: "dataset"; runId: string; dataset: DatasetSummary | null }
      | { type: "feedback"; feedback: FeedbackSummary }
      | { type: "notice"; level: "info" | "warn" | "error"; text: string }
    ));

const isCount: Check = (v) => isNumber(v) && (v as number) >= 0;
const isNullableNumber: Check = (v) => v === null || isNumber(v);
// A folder name under runs/, never "." or ".." (the page is not trusted to name paths).
const isRunId: Check = (v) => typeof v === "string" && /^(?!\.{1,2}$)[\w.-]{1,128}$/.test(v);
const isWorkerEvent: Check = (v) => {
  try {
    parseWorkerEvent(v);
    return true;
  } catch {
    return false;
  }
};
const shaped = (shape: Shape): Check => (v) => isRecord(v) && fieldsMatch(v, shape) === undefined;
const isEvalValues: Check = (v) =>
  v === null || (isRecord(v) && EVAL_METRICS.every((m) => optional(isNullableNumber)(v[m])));
const isReport: Check = (v) =>
  isRecord(v) &&
  isRecord(v.stages) &&
  Object.entries(v.stages).every(([k, row]) => (EVAL_ROWS as readonly string[]).includes(k) && isEvalValues(row)) &&
  optional(shaped({ mode: oneOf(["balanced", "strict"]), heldBackShare: isNullableNumber, exactMatchShown: isNullableNumber, exactMatchAll: isNullableNumber, addedLatencyMsP50: isNullableNumber, auc: isNullableNumber }))(v.filter);

const dashboardRequestShapes: Record<string, Shape> = {
  ready: { runId: optional(isRunId) },
  selectRun: { runId: isRunId },
  action: {
    action: oneOf(DASHBOARD_ACTIONS),
    preset: optional(oneOf(PRESETS)),
    format: optional(oneOf(EXPORT_FORMATS)),
    runId: optional(isRunId),
  },
};
const dashboardUpdateShapes: Record<string, Shape> = {
  overview: {
    workspaceName: isString,
    trusted: isBoolean,
    running: isBoolean,
    activeModel: (v) => v === null || isString(v),
    message: isString,
    defaultPreset: optional(oneOf(PRESETS)),
    filter: optional(shaped({ mode: oneOf(["balanced", "strict"]), judged: isCount, heldBack: isCount })),
  },
  runs: {
    runs: arrayOf(
      shaped({
        id: isRunId,
        startedAt: (v) => v === null || isString(v),
        preset: (v) => v === null || isString(v),
        status: oneOf(RUN_STATUSES),
      }),
    ),
    selected: (v) => v === null || isRunId(v),
  },
  events: { runId: isRunId, reset: isBoolean, events: arrayOf(isWorkerEvent) },
  report: { runId: isRunId, report: (v) => v === null || isReport(v) },
  dataset: {
    runId: isRunId,
    dataset: (v) =>
      v === null ||
      shaped({
        filesKept: isCount,
        filesExcluded: isCount,
        excludedByReason: recordOf(isCount),
        excluded: arrayOf(shaped({ path: isString, reason: isString })),
        samplesByKind: recordOf(isCount),
        tokens: recordOf(isCount),
      })(v),
  },
  feedback: {
    feedback: shaped({
      accepted: isCount,
      rejected: isCount,
      partial: isCount,
      overTime: arrayOf(shaped({ start: isString, shown: isCount, taken: isCount })),
      pairsWaiting: isCount,
      skipped: isCount,
    }),
  },
  notice: { level: oneOf(["info", "warn", "error"]), text: isString },
};

/**
 * validate() looks the type up with `in`, which also finds Object.prototype's names
 * ("constructor", "toString"): such a type would pass with no fields checked. The page is
 * the least trusted side, so the dashboard parsers refuse those names first.
 */
function ownType(what: string, raw: unknown, shapes: Record<string, Shape>): unknown {
  if (isRecord(raw) && typeof raw.type === "string" && !Object.hasOwn(shapes, raw.type)) {
    throw new ProtocolError(`${what}: unknown message type ${previewValue(raw.type, 60)}; expected one of ${Object.keys(shapes).join(", ")}`);
  }
  return raw;
}

export const parseDashboardRequest = (raw: unknown): DashboardRequest =>
  validate<DashboardRequest>("dashboard request", ownType("dashboard request", raw, dashboardRequestShapes), dashboardRequestShapes);
export const parseDashboardUpdate = (raw: unknown): DashboardUpdate =>
  validate<DashboardUpdate>("dashboard update", ownType("dashboard update", raw, dashboardUpdateShapes), dashboardUpdateShapes);
