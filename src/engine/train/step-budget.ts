// The steps of a stage that fit a time budget on this machine: one micro-batch's forward and
// backward is timed (its first run also pays one-time costs, so the estimate errs short), or
// taken from the run's plan when the plan timed the same step, and the steps are cut to what fits. A LoRA step over a 0.5B base takes ~20 s on a laptop CPU, a tiny
// model's 0.1 s: a step count fits one of them at most. The count is kept next to the stage's
// checkpoints, so a resumed stage keeps the schedule it started with.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs-core";
import { timeFirstBatch, type StepTiming } from "./step-timing";
import type { DataSource, LossFn, MicroBatch } from "./types";

const BUDGET_FILE = "budget.json";

export interface BudgetFit {
  steps: number;
  /** Seconds one optimizer step takes here (micro-batches x accumulation), as timed. */
  stepSec: number;
  /** Tokens per second of the timed micro-batch. */
  tokensPerSec: number;
  /** The fit came from the checkpoint folder (a resumed stage): nothing was timed. */
  reused: boolean;
}

export function fitStepsToBudget<B extends MicroBatch>(
  params: ReadonlyMap<string, tf.Variable>,
  data: DataSource<B>,
  lossFn: LossFn<B>,
  o: { steps: number; batchSize: number; gradientAccumulation?: number; budgetSec: number; seed: number; checkpointDir?: string; resume?: boolean; timed?: StepTiming },
): BudgetFit {
  const file = o.checkpointDir ? join(o.checkpointDir, BUDGET_FILE) : undefined;
  if (file && o.resume !== false && existsSync(file)) {
    try {
      const kept = JSON.parse(readFileSync(file, "utf8")) as BudgetFit;
      if (Number.isInteger(kept.steps) && kept.steps >= 1) return { ...kept, reused: true };
    } catch {
      // An unreadable record is timed again.
    }
  }
  const timing = o.timed ?? timeFirstBatch(params, data, lossFn, o.batchSize, o.seed);
  const microSec = timing.microSec;
  const stepSec = microSec * (o.gradientAccumulation ?? 1);
  const fit: BudgetFit = { steps: Math.max(1, Math.min(o.steps, Math.floor(o.budgetSec / stepSec))), stepSec, tokensPerSec: timing.tokensPerSec, reused: false };
  if (o.checkpointDir) {
    mkdirSync(o.checkpointDir, { recursive: true });
    writeFileSync(file!, JSON.stringify(fit) + "\n");
  }
  return fit;
}
