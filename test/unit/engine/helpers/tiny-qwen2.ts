// A tiny Qwen2 (2 layers, hidden 16) and a causal-LM data source over fixed token rows, for
// trainer, checkpoint and LoRA tests on the real architecture.
import { lossWeights, makeLmBatch, makeQwen2Config, Qwen2Model, type LmBatch, type Qwen2Config } from "../../../../src/engine/model";
import type { DataSource, LossFn, MicroBatch } from "../../../../src/engine/train";

export const TINY: Qwen2Config = makeQwen2Config({
  vocab_size: 32,
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  max_position_embeddings: 64,
  tie_word_embeddings: true,
});

export const SEQ = 8;

export type LmMicroBatch = LmBatch & MicroBatch;

/** `size` rows of SEQ + 1 tokens with learnable structure (each row counts up from a start). */
export function lmData(size: number, vocab = TINY.vocab_size): DataSource<LmMicroBatch> {
  const rows = Array.from({ length: size }, (_, r) => Array.from({ length: SEQ + 1 }, (_, t) => (r * 7 + t * (1 + (r % 3))) % vocab));
  return {
    size,
    batch(indices) {
      const b = makeLmBatch(indices.map((i) => rows[i] as number[]), SEQ, 0);
      return { ...b, tokens: b.batchSize * b.seqLen };
    },
  };
}

/** The model's mean cross-entropy, weighted by the positions that count. */
export function lmLoss(model: Qwen2Model): LossFn<LmMicroBatch> {
  return (batch) => ({ loss: model.loss(batch, { training: true }), weight: lossWeights(batch).count });
}
