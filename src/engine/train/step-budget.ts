// The steps of a stage that fit a time budget on this machine: one micro-batch's forward and
// backward is timed (its first run also pays one-time costs, so the estimate errs short) and the
// steps are cut to what fits. A LoRA step over a 0.5B base takes ~20 s on a laptop CPU, a tiny
// model's 0.1 s: a step count fits one of them at most. The count is kept next to the stage's
// checkpoints, so a resumed stage keeps the schedule it started with.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
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
  o: { steps: number; batchSize: number; gradientAccumulation?: number; budgetSec: number; seed: number; checkpointDir?: string; resume?: boolean },
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
  const batch = data.batch(Array.from({ length: Math.min(o.batchSize, data.size) }, (_, i) => i));
  const started = performance.now();
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const out = lossFn(batch, { step: 0, micro: 0, seed: o.seed });
      return out instanceof tf.Tensor ? out : out.loss;
    }, [...params.values()]);
    // Reading the loss waits for a GPU backend to finish the work being timed.
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  });
  const microSec = (performance.now() - started) / 1000;
  batch.dispose?.();
  const stepSec = microSec * (o.gradientAccumulation ?? 1);
  const fit: BudgetFit = { steps: Math.max(1, Math.min(o.steps, Math.floor(o.budgetSec / stepSec))), stepSec, tokensPerSec: batch.tokens / microSec, reused: false };
  if (o.checkpointDir) {
    mkdirSync(o.checkpointDir, { recursive: true });
    writeFileSync(file!, JSON.stringify(fit) + "\n");
  }
  return fit;
}
