// What a run will train, said before it starts: for each training stage its steps and tokens,
// and how long it should take on this machine and backend. The estimate comes from this stage's
// own speed in an earlier run here (OUT/stage-speeds.json), or, for the language-model stages,
// from one step timed now on the model they will train (a fresh model of the preset's shape, or
// the base with its adapters); a stage nothing measured yet says so rather than guess. A LoRA
// stage's step timed here is handed to the stage, which fits its budget without timing it again.
import { basename } from "node:path";
import { statSync } from "node:fs";
import type { Preset } from "../../core/presets";
import type { StageName, StagePlan, TrainingJob } from "../../core/protocol";
import { timeLmStep } from "../../engine/time-lm-step";
import type { StepTiming } from "../../engine/train/step-timing";
import { configForShape } from "../../engine/model-store/model-source";
import { readStageSpeeds, recordStageSpeed, stageSpeedKey } from "../../core/runs/stage-speeds";
import type { StageContext } from "../run/stage";
import type { RunPlanner } from "../run/orchestrator";
import { baseStudent, fullTrainingProblem, loraPlan } from "./base-plan";
import { replicasFor, RUN_SEED, stageOptions } from "./training-options";

export interface RunPlan {
  stages: StagePlan[];
  /** Every planned stage's estimate together; null when any is unknown. */
  estimateSec: number | null;
  /** The LM stages' micro-batch as timed now (per thread's share of it), for their budget fit. */
  timedStep: StepTiming | null;
  /** Keeps how long a stage took here, for the next run's plan. */
  recordStage(stage: StageName, durationSec: number, steps: number | null): void;
}

export interface PlanInputs {
  job: TrainingJob;
  preset: Preset;
  backend: string;
  selected: ReadonlySet<StageName>;
}

type Timer = typeof timeLmStep;

const TRAINING_STAGES = ["pretrain", "sft", "dpo", "rl", "distill"] as const;
type TrainingStage = (typeof TRAINING_STAGES)[number];

function speedKey(stage: StageName, i: PlanInputs, lora: string, replicas: number): string {
  const model = i.job.base ? `${basename(i.job.base)}:${statSync(i.job.base).size}` : "scratch";
  return stageSpeedKey({ stage, backend: i.backend, model, preset: i.preset.name, lora, replicas });
}

export function planRun(inputs: PlanInputs, timer: Timer = timeLmStep, log: (message: string) => void = () => undefined): RunPlan {
  const { job, preset, backend } = inputs;
  const artifacts = job.base ? { base: job.base } : {};
  const ctx = { job, preset, backend, artifacts, signal: new AbortController().signal, progress: () => undefined, log: () => undefined } as unknown as StageContext;
  const lora = loraPlan(ctx);
  const o = stageOptions(ctx);
  const replicas = lora ? 0 : replicasFor(ctx);
  const loraTag = lora ? `lora r${lora.r} ${lora.targetModules.join(",")}` : "full";
  const speeds = readStageSpeeds(job.out);
  const key = (stage: StageName) => speedKey(stage, inputs, loraTag, replicas);
  // A base too large to train whole, with LoRA turned off, trains nothing: it serves as it is.
  const trainsNothing = !!job.base && !lora && fullTrainingProblem(job.base, backend) !== null;
  const runs = (stage: TrainingStage): boolean => {
    if (!inputs.selected.has(stage) || trainsNothing) return false;
    if (stage === "rl") return preset.steps.rl > 0 && !lora;
    // Over adapters, the student is half the base's layers trained whole, when that fits here.
    if (stage === "distill" && lora) return baseStudent(job.base!, backend).problem === null;
    return true;
  };

  // Rows of each optimizer step and tokens of each row, as the stages will run them.
  const rowsOf = (x: { batchSize: number; gradientAccumulation?: number }) => x.batchSize * (x.gradientAccumulation ?? 1);
  const work: Record<TrainingStage, { steps: number; tokensPerStep: number; budgetSec?: number }> = {
    pretrain: { steps: o.pretrain.steps, tokensPerStep: rowsOf(o.pretrain) * o.pretrain.seqLen, budgetSec: o.pretrain.budgetSec },
    sft: { steps: o.sft.steps, tokensPerStep: rowsOf(o.sft) * o.sft.seqLen, budgetSec: o.sft.budgetSec },
    // A pair is two rows; the reward model (not over adapters) trains on pairs too.
    dpo: { steps: o.dpo.steps + (lora ? 0 : o.reward.steps), tokensPerStep: rowsOf(o.dpo) * 2 * o.dpo.seqLen, budgetSec: o.dpo.budgetSec },
    // Tokens sampled: k completions of each prompt.
    rl: { steps: o.rl.steps, tokensPerStep: o.rl.batchSize * o.rl.k * o.rl.maxNewTokens },
    distill: { steps: o.distill.steps, tokensPerStep: rowsOf(o.distill) * o.distill.seqLen },
  };

  // One LM micro-batch timed now when no earlier run here measured the LM stages.
  let timedStep: StepTiming | null = null;
  const lmStages = (["pretrain", "sft"] as const).filter(runs);
  if (lmStages.some((s) => !speeds[key(s)]?.steps)) {
    const rows = o.pretrain.batchSize;
    const source = job.base ? { basePath: job.base, ...(lora ? { lora, seed: RUN_SEED } : {}) } : { config: configForShape(preset.teacher, preset.teacher.vocabSize) };
    log(`timing one training step of ${job.base ? basename(job.base) : `the ${preset.name} preset's model`}${lora ? " with LoRA adapters" : ""} (${rows} x ${o.pretrain.seqLen} tokens) to estimate the run...`);
    const t = timer(source, rows, o.pretrain.seqLen, RUN_SEED);
    // Data-parallel replicas split each micro-batch's rows between the threads.
    timedStep = { microSec: t.microSec / (1 + replicas), tokensPerSec: t.tokensPerSec * (1 + replicas) };
  }

  const stages: StagePlan[] = [];
  for (const stage of TRAINING_STAGES.filter(runs)) {
    const w = work[stage];
    const earlier = speeds[key(stage)];
    const stepSec = earlier?.steps ? earlier.durationSec / earlier.steps : (stage === "pretrain" || stage === "sft") && timedStep ? timedStep.microSec * (rowsOf(o[stage]) / o[stage].batchSize) : null;
    // A budget cuts the steps to what fits (train/step-budget.ts does the same at the stage's start).
    const steps = stepSec !== null && w.budgetSec !== undefined ? Math.max(1, Math.min(w.steps, Math.floor(w.budgetSec / stepSec))) : w.steps;
    stages.push({
      stage,
      steps,
      tokens: steps * w.tokensPerStep,
      estimateSec: stepSec === null ? null : steps * stepSec,
      basis: stepSec === null ? null : earlier?.steps ? "earlier run" : "timed now",
      ...(w.budgetSec !== undefined ? { budgetSec: w.budgetSec } : {}),
    });
  }
  const estimateSec = stages.every((s) => s.estimateSec !== null) ? stages.reduce((t, s) => t + s.estimateSec!, 0) : null;
  return {
    stages,
    estimateSec,
    timedStep,
    recordStage: (stage, durationSec, steps) => recordStageSpeed(job.out, key(stage), { durationSec, steps }),
  };
}

const minutes = (sec: number) => (sec < 90 ? `${Math.round(sec)} s` : `${(sec / 60).toFixed(1)} min`);

/** The plan in words, for the log and the CLI. */
export function describePlan(plan: Pick<RunPlan, "stages" | "estimateSec">, minutesAsked: number | null): string {
  if (!plan.stages.length) return "plan: no training stage runs";
  const lines = plan.stages.map((s) => {
    const est = s.estimateSec === null ? "not measured here yet" : `~${minutes(s.estimateSec)} (${s.basis === "earlier run" ? "its speed in an earlier run here" : "from a step timed now"})`;
    return `  ${s.stage}: ${s.steps} steps, ${s.tokens.toLocaleString("en-US")} tokens${s.stage === "rl" ? " sampled" : ""}, ${est}${s.budgetSec !== undefined ? `; budget ${minutes(s.budgetSec)}` : ""}`;
  });
  const total = plan.estimateSec === null ? "" : `, about ${minutes(plan.estimateSec)} of training`;
  return [`plan${minutesAsked ? ` for --minutes ${minutesAsked}` : ""}: ${plan.stages.reduce((t, s) => t + s.tokens, 0).toLocaleString("en-US")} tokens${total}`, ...lines].join("\n");
}

/** The plan as the orchestrator takes it: the event, its words, the timed step, the record. */
export function runPlanner(inputs: PlanInputs, log: (message: string) => void): RunPlanner {
  const plan = planRun(inputs, timeLmStep, log);
  return {
    event: { type: "plan", stages: plan.stages, estimateSec: plan.estimateSec, minutes: inputs.job.minutes ?? null },
    text: describePlan(plan, inputs.job.minutes ?? null),
    timedStep: plan.timedStep,
    recordStage: plan.recordStage,
  };
}
