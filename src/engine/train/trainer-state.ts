// trainer_state.json: everything besides weights and optimizer moments that a resumed run
// needs to continue exactly where it stopped (step, data position, seed, schedule), plus what
// people look at (epoch, best metric, the loss history), with Hugging Face's names where the
// Trainer has one (global_step, max_steps, epoch, best_metric, log_history).
import type { LrSchedule } from "../optim/lr-schedule";
import { RNG_ALGORITHM } from "./seeds";

export interface LogEntry {
  step: number;
  loss: number;
  learning_rate: number;
  grad_norm: number;
  epoch: number;
  skipped?: boolean;
  metrics?: Record<string, number>;
}

export interface TrainerState {
  format: "repotune-trainer-state";
  version: 1;
  /** Optimizer steps done. */
  global_step: number;
  max_steps: number;
  /** Epochs done, fractional. */
  epoch: number;
  data_position: { epoch: number; offset: number };
  dataset_size: number;
  micro_batch_size: number;
  gradient_accumulation_steps: number;
  rng: { algorithm: string; seed: number };
  lr_schedule: LrSchedule;
  max_grad_norm: number | null;
  tokens_seen: number;
  skipped_steps: number;
  best_metric: number | null;
  best_step: number | null;
  metric_for_best: string | null;
  greater_is_better: boolean;
  log_history: LogEntry[];
}

export class TrainerStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TrainerStateError";
  }
}

const isCount = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** Validates a parsed trainer_state.json; the error says which field is wrong. */
export function parseTrainerState(json: unknown): TrainerState {
  const fail = (what: string): never => {
    throw new TrainerStateError(what);
  };
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail("not a JSON object");
  const o = json as Record<string, unknown>;
  if (o.format !== "repotune-trainer-state") fail(`format is ${JSON.stringify(o.format)}, expected "repotune-trainer-state"`);
  if (o.version !== 1) fail(`version ${JSON.stringify(o.version)} is not supported (this RepoTune reads version 1)`);
  for (const k of ["global_step", "max_steps", "dataset_size", "micro_batch_size", "gradient_accumulation_steps", "tokens_seen", "skipped_steps"]) {
    if (!isCount(o[k])) fail(`${k} is ${JSON.stringify(o[k])}, expected a whole number >= 0`);
  }
  if (!isNum(o.epoch)) fail(`epoch is ${JSON.stringify(o.epoch)}, expected a number`);
  const pos = o.data_position as Record<string, unknown> | undefined;
  if (!pos || !isCount(pos.epoch) || !isCount(pos.offset)) fail(`data_position is ${JSON.stringify(o.data_position)}, expected {epoch, offset}`);
  const rng = o.rng as Record<string, unknown> | undefined;
  if (!rng || !isCount(rng.seed) || typeof rng.algorithm !== "string") fail(`rng is ${JSON.stringify(o.rng)}, expected {algorithm, seed}`);
  if (rng!.algorithm !== RNG_ALGORITHM) fail(`rng.algorithm "${String(rng!.algorithm)}" differs from this RepoTune's "${RNG_ALGORITHM}": the run cannot be resumed exactly`);
  const s = o.lr_schedule as Record<string, unknown> | undefined;
  if (!s || !isNum(s.peakLr) || !isNum(s.minLr) || !isCount(s.warmupSteps) || !isCount(s.totalSteps)) {
    fail(`lr_schedule is ${JSON.stringify(o.lr_schedule)}, expected {peakLr, minLr, warmupSteps, totalSteps}`);
  }
  if (o.max_grad_norm !== null && !isNum(o.max_grad_norm)) fail(`max_grad_norm is ${JSON.stringify(o.max_grad_norm)}, expected a number or null`);
  if (o.best_metric !== null && !isNum(o.best_metric)) fail(`best_metric is ${JSON.stringify(o.best_metric)}`);
  if (o.best_step !== null && !isCount(o.best_step)) fail(`best_step is ${JSON.stringify(o.best_step)}`);
  if (o.metric_for_best !== null && typeof o.metric_for_best !== "string") fail(`metric_for_best is ${JSON.stringify(o.metric_for_best)}`);
  if (typeof o.greater_is_better !== "boolean") fail(`greater_is_better is ${JSON.stringify(o.greater_is_better)}`);
  if (!Array.isArray(o.log_history)) fail("log_history is not a list");
  return o as unknown as TrainerState;
}
