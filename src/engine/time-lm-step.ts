// A training step of the model a run's language-model stages will train, timed before the run
// has data or a tokenizer: the run's plan estimates from it, and LoRA stages fit their budgets by
// it. Here at the engine's top, beside train-loop.ts, since it opens a model (model-store) and
// builds a batch (data) for a timing (train) that those folders must not import.
import { LmRows } from "./data/lm-rows";
import { lmLoss } from "./loss-fns";
import { Qwen2Model, type Qwen2Config } from "./model";
import { openModel, type ModelSource } from "./model-store/model-source";
import { timeFirstBatch, type StepTiming } from "./train/step-timing";

/**
 * A next-token micro-batch of `rows` x `seqLen` random tokens through the model a stage would
 * start from (a fresh model of a preset's shape, or a base with its adapters), timed; the model
 * is gone afterwards. For a plan made before the stage has data (or a tokenizer).
 */
export function timeLmStep(source: ModelSource | { config: Qwen2Config }, rows: number, seqLen: number, seed: number): StepTiming & { trainable: number } {
  const model = "config" in source ? Qwen2Model.create(source.config, { seed }) : openModel(source).model;
  const config = model.config;
  try {
    const len = Math.min(seqLen, config.max_position_embeddings);
    let x = seed >>> 0 || 1;
    const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % config.vocab_size);
    const data = new LmRows(Array.from({ length: rows }, () => ({ ids: Array.from({ length: len }, next), completionStart: 0 })), len, 0);
    const params = model.trainableVariables();
    const trainable = [...params.values()].reduce((n, v) => n + v.size, 0);
    return { ...timeFirstBatch(params, data, lmLoss(model), rows, seed), trainable };
  } finally {
    model.dispose();
  }
}
