// Tiny model files in the layouts users have them, for listing tests: GGUFs written by our own
// writer (F32/F16 tensors, qwen2/llama or other architectures, adapters), a Hugging Face folder
// with a safetensors file, and byte-level edits that give a tensor a type we cannot read.
import { readFileSync, writeFileSync } from "node:fs";
import { writeGgufFile, type GgufTensorSource } from "../../../../src/core/formats/gguf";
import { f32, str, u32, type GgufMetadata } from "../../../../src/core/formats/gguf/types";
import { writeSafetensors } from "../../../../src/core/formats/safetensors";

export interface TinyGgufOptions {
  architecture?: string;
  /** general.file_type; omitted when undefined. */
  fileType?: number;
  contextLength?: number;
  type?: "model" | "adapter";
  /** F16 for the embedding (so "the type holding most bytes" is F16), F32 elsewhere. */
  embeddingType?: "F16" | "F32";
  noTensors?: boolean;
}

export const VOCAB = 32;
export const HIDDEN = 8;
/** token_embd [32, 8] + blk.0.attn_norm [8] + blk.0.attn_q [8, 8] + output_norm [8]. */
export const GGUF_PARAMETERS = VOCAB * HIDDEN + HIDDEN + HIDDEN * HIDDEN + HIDDEN;

export function writeTinyGguf(path: string, opts: TinyGgufOptions = {}): number {
  const a = opts.architecture ?? "qwen2";
  const md: GgufMetadata = new Map();
  md.set("general.architecture", str(a));
  if (opts.type) md.set("general.type", str(opts.type));
  md.set("general.name", str("tiny"));
  if (opts.fileType !== undefined) md.set("general.file_type", u32(opts.fileType));
  md.set(`${a}.context_length`, u32(opts.contextLength ?? 2048));
  md.set(`${a}.embedding_length`, u32(HIDDEN));
  md.set(`${a}.block_count`, u32(1));
  md.set(`${a}.feed_forward_length`, u32(16));
  md.set(`${a}.attention.head_count`, u32(2));
  md.set(`${a}.attention.head_count_kv`, u32(1));
  md.set(`${a}.attention.layer_norm_rms_epsilon`, f32(1e-6));
  md.set(`${a}.rope.freq_base`, f32(10000));
  const fill = (n: number): (() => Float32Array) => () => Float32Array.from({ length: n }, (_, i) => (i % 7) / 10);
  const tensors: GgufTensorSource[] = opts.noTensors ? [] : [
    { name: "token_embd.weight", shape: [VOCAB, HIDDEN], type: opts.embeddingType ?? "F16", read: fill(VOCAB * HIDDEN) },
    { name: "blk.0.attn_norm.weight", shape: [HIDDEN], type: "F32", read: fill(HIDDEN) },
    { name: "blk.0.attn_q.weight", shape: [HIDDEN, HIDDEN], type: "F32", read: fill(HIDDEN * HIDDEN) },
    { name: "output_norm.weight", shape: [HIDDEN], type: "F32", read: fill(HIDDEN) },
  ];
  return writeGgufFile(path, md, tensors).bytes;
}

/** Rewrites the stored ggml type code of tensor `name` (e.g. to 17, IQ2_XS, which we cannot dequantise). */
export function setTensorType(path: string, name: string, typeCode: number): void {
  const bytes = readFileSync(path);
  const nameBytes = Buffer.from(name, "utf8");
  // A tensor info is: u64 name length, name, u32 n_dims, n_dims x u64 dims, u32 type, u64 offset.
  const lengthPrefix = Buffer.alloc(8);
  lengthPrefix.writeBigUInt64LE(BigInt(nameBytes.length));
  const at = bytes.indexOf(Buffer.concat([lengthPrefix, nameBytes]));
  if (at < 0) throw new Error(`no tensor info for ${name}`);
  const dimsAt = at + 8 + nameBytes.length;
  const nDims = bytes.readUInt32LE(dimsAt);
  bytes.writeUInt32LE(typeCode, dimsAt + 4 + 8 * nDims);
  writeFileSync(path, bytes);
}

export const HF_PARAMETERS = VOCAB * HIDDEN + HIDDEN;

/** config.json (+ tokenizer.json unless told not to) and a model.safetensors with a BF16 embedding. */
export function writeTinyHfFolder(dir: string, opts: { modelType?: string; tokenizer?: boolean; context?: number } = {}): void {
  const modelType = opts.modelType ?? "qwen2";
  const cls = modelType === "llama" ? "LlamaForCausalLM" : modelType === "qwen2" ? "Qwen2ForCausalLM" : "Phi3ForCausalLM";
  writeFileSync(
    `${dir}/config.json`,
    JSON.stringify({
      architectures: [cls], model_type: modelType, hidden_size: HIDDEN, intermediate_size: 16, num_hidden_layers: 1,
      num_attention_heads: 2, num_key_value_heads: 1, vocab_size: VOCAB, max_position_embeddings: opts.context ?? 4096,
      rms_norm_eps: 1e-6, rope_theta: 10000, tie_word_embeddings: true, hidden_act: "silu", torch_dtype: "bfloat16",
    }),
  );
  writeSafetensors(`${dir}/model.safetensors`, [
    ["model.embed_tokens.weight", { dtype: "BF16", shape: [VOCAB, HIDDEN], data: new Float32Array(VOCAB * HIDDEN) }],
    ["model.norm.weight", { dtype: "F32", shape: [HIDDEN], data: new Float32Array(HIDDEN).fill(1) }],
  ]);
  if (opts.tokenizer !== false) writeFileSync(`${dir}/tokenizer.json`, JSON.stringify({ version: "1.0", model: { type: "BPE", vocab: {}, merges: [] } }));
}
