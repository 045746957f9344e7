// What every stage of "Fine-tune on this repo" looks like to the orchestrator.
import type { StepTiming } from "../../engine/train/step-timing";
import type { Preset } from "../../core/presets";
import type { ProgressEvent, StageName, TrainingJob, WorkerEventBody } from "../../core/protocol";
import type { RunLayout } from "../../core/runs/run-layout";

/** Paths a stage produced, by name (model, gguf, tokenizer, report...). */
export type Artifacts = Record<string, string>;

export type StageProgress = Omit<ProgressEvent, "type" | "stage">;

export interface StageContext {
  job: TrainingJob;
  preset: Preset;
  layout: RunLayout;
  /** This stage's own folder (OUT/stages/<stage>/). */
  dir: string;
  /** Outputs of the stages before this one. */
  artifacts: Readonly<Artifacts>;
  /** The training backend in use (after `auto` was resolved). */
  backend: string;
  /** True when this stage was cut off earlier and should continue from its last checkpoint. */
  resume: boolean;
  signal: AbortSignal;
  /** The LM stages' micro-batch as the run's plan timed it before the run (none when not timed). */
  timedStep?: StepTiming | null;
  progress(p: StageProgress): void;
  emit(event: WorkerEventBody): void;
  log(message: string, level?: "info" | "warn" | "error"): void;
}

export interface StageResult {
  artifacts: Artifacts;
  /** Set when the stage decided there was nothing to do (no preference pairs, ...). */
  skippedReason?: string;
  /**
   * For a stage that always runs: the files whose content decides the stages after it
   * (default: every artifact). Leave out files that change on every run, like timestamps.
   */
  contentFiles?: string[];
}

export interface Stage {
  name: StageName;
  /** Steps the progress bar counts to. */
  totalSteps(preset: Preset): number;
  /**
   * What decides this stage's output besides the previous stages' outputs: settings and
   * files. Hashed together with the previous stage's hash to skip unchanged work.
   */
  inputs(ctx: Pick<StageContext, "job" | "preset" | "layout" | "artifacts">): { settings: unknown; files?: string[] };
  /** Stages that always run (gathering reads the repository, whose changes the hash cannot see before). */
  alwaysRun?: boolean;
  run(ctx: StageContext): Promise<StageResult>;
}

export class CancelledError extends Error {
  constructor() {
    super("cancelled");
    this.name = "CancelledError";
  }
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}
