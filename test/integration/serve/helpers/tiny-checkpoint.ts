// A tiny random Qwen2 checkpoint directory in Hugging Face's layout (config.json,
// model.safetensors, tokenizer.json), deterministic for a seed, for export and serving tests.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportGguf } from "../../../../src/core/formats/gguf";
import { writeSafetensors, type TensorToWrite } from "../../../../src/core/formats/safetensors";
import { tokenizerToJson, trainBpe, type Tokenizer } from "../../../../src/core/tokenizer";
import { realCode } from "./real-code";
import { seededRandom } from "../../../../src/core/random/seeded-random";

export interface TinyConfig {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  max_position_embeddings: number;
  rms_norm_eps: number;
  rope_theta: number;
  tie_word_embeddings: boolean;
  /** "llama": LlamaForCausalLM, no q/k/v biases. */
  model_type?: "qwen2" | "llama";
  attention_bias?: boolean;
}

export const TINY: TinyConfig = {
  // 256 bytes + 300 merges + 7 specials = 563 tokens, padded to 576 rows as Qwen2.5 pads.
  // (The trainer may stop early when pairs run out; rows stay 576.)
  vocab_size: 576,
  hidden_size: 64,
  intermediate_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 1024,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  tie_word_embeddings: true,
};

/** The seeded generator + Box-Muller: the same weights for the same seed on every machine. */
export function normals(seed: number): (std: number) => number {
  const uniform = seededRandom(seed);
  return (std) => std * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

export function tinyWeights(cfg: TinyConfig, seed: number): Map<string, { shape: number[]; data: Float32Array }> {
  const randn = normals(seed);
  const w = new Map<string, { shape: number[]; data: Float32Array }>();
  const add = (name: string, shape: number[], fill: (i: number) => number): void => {
    const data = new Float32Array(shape.reduce((x, y) => x * y, 1));
    for (let i = 0; i < data.length; i++) data[i] = fill(i);
    w.set(name, { shape, data });
  };
  const h = cfg.hidden_size;
  const hd = h / cfg.num_attention_heads;
  const kv = cfg.num_key_value_heads * hd;
  const qkvBias = cfg.attention_bias ?? cfg.model_type !== "llama";
  const linear = (name: string, out: number, inp: number, bias = false): void => {
    add(`${name}.weight`, [out, inp], () => randn(1 / Math.sqrt(inp)));
    if (bias) add(`${name}.bias`, [out], () => randn(0.1));
  };
  // Large enough spread that logits are far from ties: argmax must agree at every position.
  add("model.embed_tokens.weight", [cfg.vocab_size, h], () => randn(0.5));
  for (let l = 0; l < cfg.num_hidden_layers; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [h], () => 1 + randn(0.1));
    linear(`${p}.self_attn.q_proj`, h, h, qkvBias);
    linear(`${p}.self_attn.k_proj`, kv, h, qkvBias);
    linear(`${p}.self_attn.v_proj`, kv, h, qkvBias);
    linear(`${p}.self_attn.o_proj`, h, h);
    add(`${p}.post_attention_layernorm.weight`, [h], () => 1 + randn(0.1));
    linear(`${p}.mlp.gate_proj`, cfg.intermediate_size, h);
    linear(`${p}.mlp.up_proj`, cfg.intermediate_size, h);
    linear(`${p}.mlp.down_proj`, h, cfg.intermediate_size);
  }
  add("model.norm.weight", [h], () => 1 + randn(0.1));
  if (!cfg.tie_word_embeddings) linear("lm_head", cfg.vocab_size, h);
  return w;
}

let tokenizerCache: Promise<Tokenizer> | undefined;
/** Our tokenizer (src/core/tokenizer), trained once per process on real code. */
export function tinyTokenizer(): Promise<Tokenizer> {
  return (tokenizerCache ??= trainBpe([realCode(60_000)], { vocabSize: 563 }));
}

export async function writeTinyCheckpoint(dir: string, options: { seed?: number; config?: Partial<TinyConfig> } = {}): Promise<TinyConfig> {
  const cfg = { ...TINY, ...options.config };
  mkdirSync(dir, { recursive: true });
  const weights = tinyWeights(cfg, options.seed ?? 1);
  const tensors: [string, TensorToWrite][] = [...weights].map(([name, t]) => [name, { dtype: "F32", shape: t.shape, data: t.data }]);
  writeSafetensors(join(dir, "model.safetensors"), tensors);
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify(
      { architectures: [cfg.model_type === "llama" ? "LlamaForCausalLM" : "Qwen2ForCausalLM"], model_type: "qwen2", hidden_act: "silu", torch_dtype: "float32", ...cfg },
      null,
      2,
    ),
  );
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(tokenizerToJson(await tinyTokenizer())));
  return cfg;
}

/**
 * A tiny random model a completion server can load: written as a checkpoint in `dir`/ckpt and
 * exported to `dir`/tiny.gguf (f16). Untied: a random model with tied embeddings only ever
 * repeats its last token (here a FIM control token, so every completion would be empty).
 */
export async function writeTinyServableGguf(dir: string): Promise<string> {
  const gguf = join(dir, "tiny.gguf");
  await writeTinyCheckpoint(join(dir, "ckpt"), { seed: 3, config: { tie_word_embeddings: false } });
  exportGguf({ checkpointDir: join(dir, "ckpt"), outPath: gguf, dtype: "f16" });
  return gguf;
}
