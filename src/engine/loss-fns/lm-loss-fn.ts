// Language-model objective of continued pretraining and SFT: mean next-token cross-entropy over
// the counted targets (SFT masks the prompt, as TRL's completion-only loss does).
import { lossWeights, type Qwen2Model } from "../model";
import type { LmMicroBatch } from "../data/lm-rows";
import type { LossFn } from "../train";

/** Mean cross-entropy over the counted targets, weighted by their count across micro-batches. */
export function lmLoss(model: Qwen2Model): LossFn<LmMicroBatch> {
  return (batch) => ({ loss: model.loss(batch, { training: true }), weight: lossWeights(batch).count });
}
