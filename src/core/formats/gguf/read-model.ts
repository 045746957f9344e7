// A GGUF base model (Qwen2.5-Coder from llama.vscode's list, an Ollama or LM Studio download) as
// the engine's decoder: its Hugging Face config rebuilt from the {arch}.* metadata, its
// tensors dequantised to float32 under their Hugging Face names and in Hugging Face's row order
// (Llama's q/k permutation undone), and its own vocabulary.
import { architectureNamed, ArchitectureError, type Architecture } from "../arch";
import { makeQwen2Config, type Qwen2Config } from "../qwen2-config";
import type { Tokenizer } from "../../tokenizer";
import { readGguf, readGgufTensor, type GgufFile } from "./reader";
import { tokenizerFromGguf } from "./read-tokenizer";
import { hfNameOfGguf } from "./tensor-names";
import { GgufFormatError } from "./types";

export interface ModelTensor {
  shape: number[];
  data: Float32Array;
}

export interface GgufModel {
  architecture: Architecture;
  config: Qwen2Config;
  tokenizer: Tokenizer;
  /** Float32, Hugging Face names and layout ([out, in] projections). */
  tensors: Map<string, ModelTensor>;
}

function num(file: GgufFile, key: string, label: string, fallback?: number): number {
  const v = file.metadata.get(key);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new GgufFormatError(`${label}: metadata ${key} is missing; the file is not a complete model`);
  }
  if (v.type === "array" || typeof v.value !== "number") throw new GgufFormatError(`${label}: metadata ${key} is not a number`);
  return v.value;
}

function optionalId(file: GgufFile, key: string): number | undefined {
  const v = file.metadata.get(key);
  return v && v.type !== "array" && typeof v.value === "number" ? v.value : undefined;
}

/** The config.json a GGUF file's metadata stands for. */
export function ggufModelConfig(file: GgufFile, label: string): { architecture: Architecture; config: Qwen2Config } {
  const archValue = file.metadata.get("general.architecture");
  if (archValue?.type !== "string") throw new GgufFormatError(`${label}: no general.architecture; not a model file`);
  const type = file.metadata.get("general.type");
  if (type?.type === "string" && type.value !== "model") throw new GgufFormatError(`${label}: general.type is ${JSON.stringify(type.value)}, not a model (an adapter needs its base)`);
  let architecture: Architecture;
  try {
    architecture = architectureNamed(archValue.value, label);
  } catch (err) {
    throw new GgufFormatError((err as ArchitectureError).message);
  }
  const a = architecture.name;
  const scaling = file.metadata.get(`${a}.rope.scaling.type`);
  if ((scaling?.type === "string" && scaling.value !== "none") || file.tensors.some((t) => t.name === "rope_freqs.weight")) {
    throw new GgufFormatError(`${label}: rotary scaling (${scaling?.type === "string" ? scaling.value : "rope_freqs"}) is not supported for training; llama.cpp can still serve it`);
  }
  const embedding = file.tensors.find((t) => t.name === "token_embd.weight");
  if (!embedding || embedding.shape.length !== 2) throw new GgufFormatError(`${label}: no 2-D token_embd.weight tensor`);
  const hidden = num(file, `${a}.embedding_length`, label);
  const heads = num(file, `${a}.attention.head_count`, label);
  const keyLength = optionalId(file, `${a}.attention.key_length`);
  const eos = optionalId(file, "tokenizer.ggml.eos_token_id");
  const bos = optionalId(file, "tokenizer.ggml.bos_token_id");
  try {
    const config = makeQwen2Config({
      model_type: a,
      architectures: [architecture.hfClass],
      vocab_size: embedding.shape[0]!,
      hidden_size: hidden,
      intermediate_size: num(file, `${a}.feed_forward_length`, label),
      num_hidden_layers: num(file, `${a}.block_count`, label),
      num_attention_heads: heads,
      num_key_value_heads: num(file, `${a}.attention.head_count_kv`, label, heads),
      ...(keyLength !== undefined && keyLength !== hidden / heads ? { head_dim: keyLength } : {}),
      max_position_embeddings: num(file, `${a}.context_length`, label),
      rms_norm_eps: num(file, `${a}.attention.layer_norm_rms_epsilon`, label),
      rope_theta: num(file, `${a}.rope.freq_base`, label, 10000),
      tie_word_embeddings: !file.tensors.some((t) => t.name === "output.weight"),
      attention_bias: file.tensors.some((t) => t.name === "blk.0.attn_q.bias"),
      bos_token_id: bos ?? null,
      eos_token_id: eos ?? null,
    });
    return { architecture, config };
  } catch (err) {
    throw new GgufFormatError(`${label}: its metadata describes no model RepoTune can build (${(err as Error).message})`);
  }
}

/** Reads the whole model into memory as float32 (a 0.5B base: about 2 GB). */
export function readGgufModel(path: string): GgufModel {
  const file = readGguf(path);
  const { architecture, config } = ggufModelConfig(file, path);
  const tokenizer = tokenizerFromGguf(file, path);
  if (tokenizer.vocabSize > config.vocab_size) {
    throw new GgufFormatError(`${path}: the vocabulary has ${tokenizer.vocabSize} tokens but token_embd.weight only ${config.vocab_size} rows`);
  }
  const tensors = new Map<string, ModelTensor>();
  const headDim = config.head_dim ?? config.hidden_size / config.num_attention_heads;
  for (const info of file.tensors) {
    const hfName = hfNameOfGguf(info.name);
    if (!hfName) throw new GgufFormatError(`${path}: tensor ${info.name} has no place in a ${architecture.name} decoder`);
    let data = readGgufTensor(path, file, info.name);
    const rows = info.shape[0]!;
    if (/\.self_attn\.[qk]_proj\./.test(hfName)) data = architecture.fromGgufRows(data, rows, rows / headDim);
    tensors.set(hfName, { shape: [...info.shape], data });
  }
  return { architecture, config, tokenizer, tensors };
}
