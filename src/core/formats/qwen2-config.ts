// The model's configuration is Hugging Face's Qwen2 `config.json`, field for field, so a
// checkpoint directory we write loads in `transformers` and a real Qwen2.5-Coder config
// loads here. Parsing checks every field the engine relies on and names the bad one.
import { previewValue } from "../untrusted/preview-value";

export interface Qwen2Config {
  /** "llama" for Llama-family checkpoints: the same decoder without q/k/v biases by default. */
  model_type: "qwen2" | "llama";
  architectures: string[];
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  /** Explicit head size; Qwen2 leaves it out and uses hidden_size / num_attention_heads. */
  head_dim?: number;
  hidden_act: "silu";
  max_position_embeddings: number;
  rms_norm_eps: number;
  rope_theta: number;
  tie_word_embeddings: boolean;
  /**
   * Whether q/k/v projections have biases. Qwen2 always has them and its config has no such
   * key (true here when absent); Llama-style configs say `attention_bias: false`. o_proj never
   * has a bias in Qwen2.
   */
  attention_bias?: boolean;
  initializer_range: number;
  torch_dtype: "float32" | "float16" | "bfloat16";
  bos_token_id?: number | null;
  eos_token_id?: number | number[] | null;
  attention_dropout?: number;
  use_cache?: boolean;
  use_sliding_window?: boolean;
  sliding_window?: number | null;
  max_window_layers?: number;
  rope_scaling?: null;
  transformers_version?: string;
}

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`config.json: ${field}: ${message}`);
    this.name = "ConfigError";
  }
}

/** The fields a caller must give; everything else has Qwen2's default. */
export type Qwen2ConfigInput = Pick<Qwen2Config, "vocab_size" | "hidden_size" | "intermediate_size" | "num_hidden_layers" | "num_attention_heads"> &
  Partial<Qwen2Config>;

/** A complete config from the sizes, with Qwen2's defaults for the rest (as `Qwen2Config()` in transformers). */
export function makeQwen2Config(input: Qwen2ConfigInput): Qwen2Config {
  const config: Qwen2Config = {
    model_type: "qwen2",
    architectures: ["Qwen2ForCausalLM"],
    hidden_act: "silu",
    max_position_embeddings: 32768,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: true,
    initializer_range: 0.02,
    torch_dtype: "float32",
    num_key_value_heads: input.num_attention_heads,
    attention_dropout: 0,
    use_cache: true,
    use_sliding_window: false,
    sliding_window: null,
    bos_token_id: null,
    eos_token_id: null,
    ...input,
  };
  return parseQwen2Config(config);
}

function positiveInt(obj: Record<string, unknown>, field: string): number {
  const v = obj[field];
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new ConfigError(field, `must be a positive integer, got ${previewValue(v)}`);
  return v;
}

function positiveNumber(obj: Record<string, unknown>, field: string, fallback: number): number {
  const v = obj[field] ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new ConfigError(field, `must be a positive number, got ${previewValue(v)}`);
  return v;
}

/**
 * Validates a parsed config.json. Accepts `qwen2` and `llama` model types (both share this
 * decoder here; a llama config is read with attention_bias defaulting to false) and returns
 * it with every field the engine uses filled in. Unknown extra fields are kept.
 */
export function parseQwen2Config(json: unknown): Qwen2Config {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new ConfigError("(root)", "must be a JSON object");
  const o = json as Record<string, unknown>;
  const modelType = o.model_type ?? "qwen2";
  if (modelType !== "qwen2" && modelType !== "llama") {
    throw new ConfigError("model_type", `RepoTune trains the Qwen2 architecture ("qwen2"; "llama" is read the same way), got ${previewValue(modelType)}`);
  }
  const vocab = positiveInt(o, "vocab_size");
  const hidden = positiveInt(o, "hidden_size");
  const inter = positiveInt(o, "intermediate_size");
  const layers = positiveInt(o, "num_hidden_layers");
  const heads = positiveInt(o, "num_attention_heads");
  const kvHeads = o.num_key_value_heads === undefined || o.num_key_value_heads === null ? heads : positiveInt(o, "num_key_value_heads");
  if (heads % kvHeads !== 0) throw new ConfigError("num_key_value_heads", `${kvHeads} must divide num_attention_heads (${heads})`);
  let headDim = hidden / heads;
  if (o.head_dim !== undefined && o.head_dim !== null) headDim = positiveInt(o, "head_dim");
  else if (!Number.isInteger(headDim)) throw new ConfigError("num_attention_heads", `${heads} must divide hidden_size (${hidden})`);
  // Rotary embedding over halves needs an even head size.
  if (headDim % 2 !== 0) throw new ConfigError("head_dim", `must be even for rotary embeddings, got ${headDim}`);
  const act = o.hidden_act ?? "silu";
  if (act !== "silu") throw new ConfigError("hidden_act", `only "silu" (SwiGLU) is supported, got ${previewValue(act)}`);
  if (o.rope_scaling !== undefined && o.rope_scaling !== null) {
    throw new ConfigError("rope_scaling", "rotary scaling (YaRN, dynamic NTK...) is not supported; remove it or set it to null");
  }
  if (o.mlp_bias === true) throw new ConfigError("mlp_bias", "MLP biases are not supported (no Qwen2 or Llama code model has them)");
  const dtype = o.torch_dtype ?? o.dtype ?? "float32"; // transformers 5 names it `dtype`
  if (dtype !== "float32" && dtype !== "float16" && dtype !== "bfloat16") {
    throw new ConfigError("torch_dtype", `must be float32, float16 or bfloat16, got ${previewValue(dtype)}`);
  }
  // Qwen2Config's own default is false (small Qwen2.5 checkpoints say true explicitly).
  const tie = o.tie_word_embeddings ?? false;
  if (typeof tie !== "boolean") throw new ConfigError("tie_word_embeddings", "must be true or false");
  const bias = o.attention_bias ?? modelType === "qwen2";
  if (typeof bias !== "boolean") throw new ConfigError("attention_bias", "must be true or false");
  const maxPos = o.max_position_embeddings === undefined ? 32768 : positiveInt(o, "max_position_embeddings");
  return {
    ...(o as object),
    model_type: modelType,
    architectures: Array.isArray(o.architectures) ? (o.architectures as string[]) : [modelType === "llama" ? "LlamaForCausalLM" : "Qwen2ForCausalLM"],
    vocab_size: vocab,
    hidden_size: hidden,
    intermediate_size: inter,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    ...(o.head_dim !== undefined && o.head_dim !== null ? { head_dim: headDim } : {}),
    hidden_act: "silu",
    max_position_embeddings: maxPos,
    rms_norm_eps: positiveNumber(o, "rms_norm_eps", 1e-6),
    rope_theta: positiveNumber(o, "rope_theta", 10000),
    tie_word_embeddings: tie,
    attention_bias: bias,
    initializer_range: positiveNumber(o, "initializer_range", 0.02),
    torch_dtype: dtype,
  } as Qwen2Config;
}

export function headDim(c: Qwen2Config): number {
  return c.head_dim ?? c.hidden_size / c.num_attention_heads;
}

export function hasQkvBias(c: Qwen2Config): boolean {
  return c.attention_bias ?? true;
}

/** Every parameter's Hugging Face name and shape ([out, in] for projections, as PyTorch stores them), in a stable order. */
export function parameterShapes(c: Qwen2Config): Map<string, number[]> {
  const d = c.hidden_size;
  const hd = headDim(c);
  const q = c.num_attention_heads * hd;
  const kv = c.num_key_value_heads * hd;
  const f = c.intermediate_size;
  const shapes = new Map<string, number[]>();
  shapes.set("model.embed_tokens.weight", [c.vocab_size, d]);
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `model.layers.${i}.`;
    shapes.set(`${p}input_layernorm.weight`, [d]);
    shapes.set(`${p}self_attn.q_proj.weight`, [q, d]);
    shapes.set(`${p}self_attn.k_proj.weight`, [kv, d]);
    shapes.set(`${p}self_attn.v_proj.weight`, [kv, d]);
    if (hasQkvBias(c)) {
      shapes.set(`${p}self_attn.q_proj.bias`, [q]);
      shapes.set(`${p}self_attn.k_proj.bias`, [kv]);
      shapes.set(`${p}self_attn.v_proj.bias`, [kv]);
    }
    shapes.set(`${p}self_attn.o_proj.weight`, [d, q]);
    shapes.set(`${p}post_attention_layernorm.weight`, [d]);
    shapes.set(`${p}mlp.gate_proj.weight`, [f, d]);
    shapes.set(`${p}mlp.up_proj.weight`, [f, d]);
    shapes.set(`${p}mlp.down_proj.weight`, [d, f]);
  }
  shapes.set("model.norm.weight", [d]);
  if (!c.tie_word_embeddings) shapes.set("lm_head.weight", [c.vocab_size, d]);
  return shapes;
}

export function countParameters(c: Qwen2Config): number {
  let n = 0;
  for (const shape of parameterShapes(c).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

/**
 * Whether AdamW's decoupled weight decay applies to a parameter: not to norms and biases
 * (the usual convention, as in nanoGPT and TRL's defaults), yes to matrices and embeddings.
 */
export function isWeightDecayed(name: string): boolean {
  return !(name.endsWith(".bias") || name.endsWith("norm.weight"));
}

/**
 * FLOPs of one training step per token (forward + backward = 3x forward), counting the
 * matrix products (2 per multiply-add) and the attention scores over a causal context of
 * `seqLen` (computed in full, as the engine does). Embedding lookups are not counted.
 * This is what the benchmark divides by to report GFLOP/s, for tfjs and PyTorch alike.
 */
export function trainingFlopsPerToken(c: Qwen2Config, seqLen: number): number {
  const d = c.hidden_size;
  const hd = headDim(c);
  const q = c.num_attention_heads * hd;
  const kv = c.num_key_value_heads * hd;
  const f = c.intermediate_size;
  const perLayer = 2 * (d * q + 2 * d * kv + q * d + 3 * d * f) + 2 * 2 * seqLen * q;
  const forward = c.num_hidden_layers * perLayer + 2 * d * c.vocab_size;
  return 3 * forward;
}
