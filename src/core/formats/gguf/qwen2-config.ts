// The part of Hugging Face's Qwen2 config.json that the GGUF export needs, read defensively:
// a missing or mistyped field is named in the error rather than written as NaN.
import { f32, GgufFormatError, str, u32, type GgufValue } from "./types";

export interface Qwen2ExportConfig {
  hiddenSize: number;
  intermediateSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  /** Set only when config.json gives a head size other than hidden_size / heads. */
  headDim?: number;
  contextLength: number;
  rmsNormEps: number;
  ropeTheta: number;
  vocabSize: number;
  tied: boolean;
  bosTokenId?: number;
  eosTokenId?: number;
  padTokenId?: number;
}

export function parseQwen2Config(raw: unknown, label = "config.json"): Qwen2ExportConfig {
  if (typeof raw !== "object" || raw === null) throw new GgufFormatError(`${label}: not a JSON object`);
  const c = raw as Record<string, unknown>;
  const int = (key: string, fallback?: number): number => {
    const v = c[key] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new GgufFormatError(`${label}: ${key} must be a positive integer (got ${JSON.stringify(v)})`);
    return v;
  };
  const num = (key: string, fallback?: number): number => {
    const v = c[key] ?? fallback;
    if (typeof v !== "number" || !(v > 0)) throw new GgufFormatError(`${label}: ${key} must be a positive number (got ${JSON.stringify(v)})`);
    return v;
  };
  const optId = (key: string): number | undefined => {
    const v = Array.isArray(c[key]) ? (c[key] as unknown[])[0] : c[key];
    return typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : undefined;
  };
  const type = c.model_type;
  if (type !== undefined && type !== "qwen2") {
    throw new GgufFormatError(`${label}: model_type ${JSON.stringify(type)} is not qwen2; only the Qwen2 architecture exports to GGUF here`);
  }
  if (c.rope_scaling !== undefined && c.rope_scaling !== null) {
    throw new GgufFormatError(`${label}: rope_scaling is set; scaled rotary embeddings are not exported yet`);
  }
  const heads = int("num_attention_heads");
  const hiddenSize = int("hidden_size");
  if (hiddenSize % heads !== 0) throw new GgufFormatError(`${label}: hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${heads}`);
  const kvHeads = int("num_key_value_heads", heads);
  if (heads % kvHeads !== 0) throw new GgufFormatError(`${label}: num_attention_heads ${heads} is not a multiple of num_key_value_heads ${kvHeads}`);
  const headDim = c.head_dim === undefined || c.head_dim === null ? undefined : int("head_dim");
  return {
    headDim: headDim === hiddenSize / heads ? undefined : headDim,
    hiddenSize,
    intermediateSize: int("intermediate_size"),
    layers: int("num_hidden_layers"),
    heads,
    kvHeads,
    contextLength: int("max_position_embeddings"),
    rmsNormEps: num("rms_norm_eps", 1e-6),
    ropeTheta: num("rope_theta", 10000),
    vocabSize: int("vocab_size"),
    // Hugging Face's default for Qwen2 is untied; the small Qwen2.5 models set it true.
    tied: c.tie_word_embeddings === true,
    bosTokenId: optId("bos_token_id"),
    eosTokenId: optId("eos_token_id"),
    padTokenId: optId("pad_token_id"),
  };
}

/** general.* and qwen2.* keys, typed as llama.cpp reads them (u32 sizes, f32 eps and base). */
export function qwen2ArchMetadata(cfg: Qwen2ExportConfig, name: string, fileType: number): [string, GgufValue][] {
  const headSize: [string, GgufValue][] = cfg.headDim === undefined ? [] : [
    ["qwen2.attention.key_length", u32(cfg.headDim)],
    ["qwen2.attention.value_length", u32(cfg.headDim)],
  ];
  return [
    ["general.architecture", str("qwen2")],
    ["general.name", str(name)],
    ["general.alignment", u32(32)],
    ["general.file_type", u32(fileType)],
    ["qwen2.context_length", u32(cfg.contextLength)],
    ["qwen2.embedding_length", u32(cfg.hiddenSize)],
    ["qwen2.block_count", u32(cfg.layers)],
    ["qwen2.feed_forward_length", u32(cfg.intermediateSize)],
    ["qwen2.attention.head_count", u32(cfg.heads)],
    ["qwen2.attention.head_count_kv", u32(cfg.kvHeads)],
    ["qwen2.attention.layer_norm_rms_epsilon", f32(cfg.rmsNormEps)],
    ["qwen2.rope.freq_base", f32(cfg.ropeTheta)],
    ...headSize,
  ];
}
