// The training loop: takes micro-batches from a seeded sampler, runs optimizer steps with the
// learning-rate schedule, reports every step (loss, lr, gradient norm, tokens/s, ETA), checks
// for cancellation between steps, and exports/restores its state for checkpoints. The same
// seed and data give the same losses, in one run or across a save and a resume.
import type * as tf from "@tensorflow/tfjs-core";
import { AdamW, type AdamWOptions } from "../optim/adamw";
import { learningRateAt, validateSchedule, type LrSchedule } from "../optim/lr-schedule";
import { EpochSampler } from "./sampler";
import { RNG_ALGORITHM } from "./seeds";
import { trainStep, type StepResult } from "./train-step";
import { TrainerStateError, type LogEntry, type TrainerState } from "./trainer-state";
import type { DataSource, GradientSource, LossFn, MicroBatch, Reseedable } from "./types";

export interface TrainerOptions<B extends MicroBatch = MicroBatch> {
  /** Optimizer steps of the run (the schedule decays to its floor here). */
  totalSteps: number;
  microBatchSize: number;
  /** Micro-batches per optimizer step. Default 1. */
  gradientAccumulationSteps?: number;
  peakLr: number;
  /** Default 0.1 x peakLr. */
  minLr?: number;
  /** Default 0. */
  warmupSteps?: number;
  /** torch's clip_grad_norm_ max_norm; null turns clipping off. Default 1.0 (Hugging Face's). */
  maxGradNorm?: number | null;
  optimizer?: Partial<AdamWOptions>;
  seed: number;
  /** Shuffle the examples each epoch (default true). */
  shuffle?: boolean;
  /** Objects with their own randomness (LoRA dropout), reseeded before each micro-batch. */
  seeded?: readonly Reseedable[];
  /** Micro-batches computed elsewhere (data-parallel replicas) instead of the loss function here. */
  gradients?: GradientSource<B>;
  /** Which metric of recordMetric decides the best checkpoint, and in which direction. */
  metricForBest?: string;
  greaterIsBetter?: boolean;
}

export interface StepEvent extends StepResult {
  /** Steps done, this one included (1 after the first step). */
  step: number;
  totalSteps: number;
  /** Epochs done, fractional. */
  epoch: number;
  stepMs: number;
  /** Tokens per second of this step. */
  tokensPerSec: number;
  /** Seconds left at the recent pace. */
  etaSec: number;
}

export interface RunOptions {
  /** Checked before every step: when aborted, the loop stops at the step boundary. */
  signal?: AbortSignal;
  /** Called after every step, awaited (so a checkpoint can be saved from it). */
  onStep?: (event: StepEvent) => void | Promise<void>;
  /** Stop after this many steps in total (default: totalSteps). */
  untilStep?: number;
}

export interface RunResult {
  status: "completed" | "cancelled";
  step: number;
}

export class Trainer<B extends MicroBatch> {
  readonly optimizer: AdamW;
  readonly schedule: LrSchedule;
  private readonly sampler: EpochSampler;
  private readonly accumulation: number;
  private readonly maxGradNorm: number | null;
  private globalStep = 0;
  private tokensSeen = 0;
  private skippedSteps = 0;
  private best: { metric: number; step: number } | undefined;
  private readonly history: LogEntry[] = [];
  /** Exponential moving average of step time, for the ETA. */
  private stepMsAverage: number | undefined;

  constructor(
    readonly params: ReadonlyMap<string, tf.Variable>,
    private readonly data: DataSource<B>,
    private readonly lossFn: LossFn<B>,
    readonly options: TrainerOptions<B>,
  ) {
    if (params.size === 0) throw new Error("Trainer: no trainable parameters");
    this.schedule = {
      peakLr: options.peakLr,
      minLr: options.minLr ?? options.peakLr * 0.1,
      warmupSteps: options.warmupSteps ?? 0,
      totalSteps: options.totalSteps,
    };
    validateSchedule(this.schedule);
    this.accumulation = options.gradientAccumulationSteps ?? 1;
    if (!Number.isInteger(this.accumulation) || this.accumulation < 1) throw new Error(`gradient accumulation steps must be >= 1, got ${this.accumulation}`);
    this.maxGradNorm = options.maxGradNorm === undefined ? 1 : options.maxGradNorm;
    if (!Number.isSafeInteger(options.seed) || options.seed < 0) throw new Error(`seed must be a whole number >= 0, got ${options.seed}`);
    this.sampler = new EpochSampler(data.size, options.microBatchSize, options.seed, options.shuffle ?? true);
    this.optimizer = new AdamW(params, options.optimizer);
  }

  get step(): number {
    return this.globalStep;
  }

  get totalSteps(): number {
    return this.schedule.totalSteps;
  }

  get done(): boolean {
    return this.globalStep >= this.schedule.totalSteps;
  }

  /** One optimizer step on the next micro-batches. */
  async trainStep(): Promise<StepEvent> {
    const started = performance.now();
    const microBatches: B[] = [];
    for (let i = 0; i < this.accumulation; i++) microBatches.push(this.data.batch(this.sampler.next()));
    const lr = learningRateAt(this.schedule, this.globalStep);
    const result = await trainStep({
      params: this.params,
      optimizer: this.optimizer,
      lossFn: this.lossFn,
      microBatches,
      step: this.globalStep,
      lr,
      maxGradNorm: this.maxGradNorm,
      seed: this.options.seed,
      seeded: this.options.seeded,
      ...(this.options.gradients ? { gradients: this.options.gradients } : {}),
    });
    this.globalStep++;
    this.tokensSeen += result.tokens;
    if (result.skipped) this.skippedSteps++;
    const stepMs = performance.now() - started;
    // The first steps are slow (kernel set-up): the average forgets them quickly.
    this.stepMsAverage = this.stepMsAverage === undefined ? stepMs : 0.8 * this.stepMsAverage + 0.2 * stepMs;
    const event: StepEvent = {
      ...result,
      step: this.globalStep,
      totalSteps: this.schedule.totalSteps,
      epoch: this.sampler.epochProgress,
      stepMs,
      tokensPerSec: stepMs > 0 ? (result.tokens * 1000) / stepMs : 0,
      etaSec: (Math.max(0, this.schedule.totalSteps - this.globalStep) * this.stepMsAverage) / 1000,
    };
    this.history.push({
      step: event.step,
      loss: event.loss,
      learning_rate: lr,
      grad_norm: event.gradNorm,
      epoch: event.epoch,
      ...(event.skipped ? { skipped: true } : {}),
      ...(Object.keys(event.metrics).length ? { metrics: event.metrics } : {}),
    });
    return event;
  }

  /** Steps until totalSteps (or untilStep), or until the signal aborts, checked at step boundaries. */
  async run(options: RunOptions = {}): Promise<RunResult> {
    const until = Math.min(options.untilStep ?? this.schedule.totalSteps, this.schedule.totalSteps);
    while (this.globalStep < until) {
      // Yield to the event loop so a cancel message (IPC) can arrive between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) return { status: "cancelled", step: this.globalStep };
      const event = await this.trainStep();
      await options.onStep?.(event);
    }
    return { status: "completed", step: this.globalStep };
  }

  /** Records an evaluation; returns true when it is the best so far (save that checkpoint). */
  recordMetric(name: string, value: number): boolean {
    if (this.options.metricForBest !== undefined && name !== this.options.metricForBest) return false;
    const greater = this.options.greaterIsBetter ?? false;
    const better = this.best === undefined || (greater ? value > this.best.metric : value < this.best.metric);
    if (better && Number.isFinite(value)) this.best = { metric: value, step: this.globalStep };
    return better && Number.isFinite(value);
  }

  /** Everything but the weights and the optimizer moments, for trainer_state.json. */
  exportState(): TrainerState {
    return {
      format: "repotune-trainer-state",
      version: 1,
      global_step: this.globalStep,
      max_steps: this.schedule.totalSteps,
      epoch: this.sampler.epochProgress,
      data_position: this.sampler.position,
      dataset_size: this.data.size,
      micro_batch_size: this.sampler.batchSize,
      gradient_accumulation_steps: this.accumulation,
      rng: { algorithm: RNG_ALGORITHM, seed: this.options.seed },
      lr_schedule: { ...this.schedule },
      max_grad_norm: this.maxGradNorm,
      tokens_seen: this.tokensSeen,
      skipped_steps: this.skippedSteps,
      best_metric: this.best?.metric ?? null,
      best_step: this.best?.step ?? null,
      metric_for_best: this.options.metricForBest ?? null,
      greater_is_better: this.options.greaterIsBetter ?? false,
      log_history: this.history.map((e) => ({ ...e })),
    };
  }

  /**
   * Continues from a saved state (restore the weights and optimizer moments separately). The
   * data, batch sizes and seed must be the run's own: anything else could not give the
   * losses of an uninterrupted run, so it is refused with what differs.
   */
  restoreState(state: TrainerState): void {
    const differs: string[] = [];
    const check = (what: string, saved: unknown, now: unknown) => {
      if (JSON.stringify(saved) !== JSON.stringify(now)) differs.push(`${what}: checkpoint ${JSON.stringify(saved)}, now ${JSON.stringify(now)}`);
    };
    check("dataset size", state.dataset_size, this.data.size);
    check("micro-batch size", state.micro_batch_size, this.sampler.batchSize);
    check("gradient accumulation steps", state.gradient_accumulation_steps, this.accumulation);
    check("seed", state.rng.seed, this.options.seed);
    for (const key of ["peakLr", "minLr", "warmupSteps", "totalSteps"] as const) check(`learning-rate schedule ${key}`, state.lr_schedule[key], this.schedule[key]);
    check("max grad norm", state.max_grad_norm, this.maxGradNorm);
    if (differs.length) throw new TrainerStateError(`the checkpoint was made by a different run: ${differs.join("; ")}`);
    if (state.global_step > this.schedule.totalSteps) throw new TrainerStateError(`the checkpoint is at step ${state.global_step}, past this run's ${this.schedule.totalSteps} steps`);
    if (this.optimizer.step !== state.global_step - state.skipped_steps) {
      throw new TrainerStateError(
        `the optimizer state has taken ${this.optimizer.step} steps but the trainer state ${state.global_step - state.skipped_steps}: restore the optimizer from the same checkpoint first`,
      );
    }
    this.sampler.position = state.data_position;
    this.globalStep = state.global_step;
    this.tokensSeen = state.tokens_seen;
    this.skippedSteps = state.skipped_steps;
    this.best = state.best_metric === null || state.best_step === null ? undefined : { metric: state.best_metric, step: state.best_step };
    this.history.length = 0;
    this.history.push(...state.log_history.map((e) => ({ ...e })));
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
