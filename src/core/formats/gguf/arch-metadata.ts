// The part of a Hugging Face config.json (Qwen2 or Llama) that the GGUF export needs, and the
// GGUF metadata keys it becomes: a missing or mistyped field is named in the error, never NaN.
import { architectureOfConfig, type Architecture } from "../arch";
import { headDim, parseQwen2Config as parseModelConfig, type Qwen2Config } from "../qwen2-config";
import { f32, GgufFormatError, str, u32, type GgufValue } from "./types";

export interface GgufExportConfig {
  architecture: Architecture;
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

/**
 * The export's view of a config.json: parsed by the one Qwen2 config parser
 * (core/formats/qwen2-config), with its errors named after the file.
 */
export function parseExportConfig(raw: unknown, label = "config.json"): GgufExportConfig {
  let c: Qwen2Config;
  let architecture: Architecture;
  try {
    architecture = architectureOfConfig((raw ?? {}) as Record<string, unknown>, label);
    c = parseModelConfig(raw);
  } catch (err) {
    throw new GgufFormatError(`${label}: ${(err as Error).message}`);
  }
  const extra = c as unknown as Record<string, unknown>;
  const optId = (key: string): number | undefined => {
    const v = Array.isArray(extra[key]) ? (extra[key] as unknown[])[0] : extra[key];
    return typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : undefined;
  };
  const dim = headDim(c);
  return {
    architecture,
    headDim: dim === c.hidden_size / c.num_attention_heads ? undefined : dim,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    layers: c.num_hidden_layers,
    heads: c.num_attention_heads,
    kvHeads: c.num_key_value_heads,
    contextLength: c.max_position_embeddings,
    rmsNormEps: c.rms_norm_eps,
    ropeTheta: c.rope_theta,
    vocabSize: c.vocab_size,
    tied: c.tie_word_embeddings,
    bosTokenId: optId("bos_token_id"),
    eosTokenId: optId("eos_token_id"),
    padTokenId: optId("pad_token_id"),
  };
}

/** general.* and {arch}.* keys, typed as llama.cpp reads them (u32 sizes, f32 eps and base). */
export function archMetadata(cfg: GgufExportConfig, name: string, fileType: number): [string, GgufValue][] {
  const a = cfg.architecture.name;
  const headSize: [string, GgufValue][] = cfg.headDim === undefined ? [] : [
    [`${a}.attention.key_length`, u32(cfg.headDim)],
    [`${a}.attention.value_length`, u32(cfg.headDim)],
  ];
  return [
    ["general.architecture", str(a)],
    ["general.name", str(name)],
    ["general.alignment", u32(32)],
    ["general.file_type", u32(fileType)],
    [`${a}.context_length`, u32(cfg.contextLength)],
    [`${a}.embedding_length`, u32(cfg.hiddenSize)],
    [`${a}.block_count`, u32(cfg.layers)],
    [`${a}.feed_forward_length`, u32(cfg.intermediateSize)],
    [`${a}.attention.head_count`, u32(cfg.heads)],
    [`${a}.attention.head_count_kv`, u32(cfg.kvHeads)],
    [`${a}.attention.layer_norm_rms_epsilon`, f32(cfg.rmsNormEps)],
    [`${a}.rope.freq_base`, f32(cfg.ropeTheta)],
    ...headSize,
  ];
}
