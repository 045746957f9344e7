// The exact shapes of the bases users run (Hugging Face config.json of each Qwen2.5-Coder base,
// shared/notes/base-models.md), for benchmarks on random weights of the real size.
import { makeQwen2Config, type Qwen2Config } from "../src/core/formats/qwen2-config";

const QWEN25_CODER = { vocab_size: 151936, max_position_embeddings: 32768, rope_theta: 1e6, rms_norm_eps: 1e-6, tie_word_embeddings: true, attention_bias: true } as const;

export const MODEL_SHAPES: Readonly<Record<string, Qwen2Config>> = {
  "qwen2.5-coder-0.5b": makeQwen2Config({ ...QWEN25_CODER, hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2 }),
  "qwen2.5-coder-1.5b": makeQwen2Config({ ...QWEN25_CODER, hidden_size: 1536, intermediate_size: 8960, num_hidden_layers: 28, num_attention_heads: 12, num_key_value_heads: 2 }),
  "qwen2.5-coder-3b": makeQwen2Config({ ...QWEN25_CODER, hidden_size: 2048, intermediate_size: 11008, num_hidden_layers: 36, num_attention_heads: 16, num_key_value_heads: 2 }),
};

export function modelShape(name: string): Qwen2Config {
  const shape = MODEL_SHAPES[name];
  if (!shape) throw new Error(`--shape ${name} is not one of ${Object.keys(MODEL_SHAPES).join(", ")}`);
  return shape;
}
