// Hugging Face checkpoint directory (config.json, model.safetensors or shards, tokenizer.json)
// -> one GGUF file that llama.cpp loads as architecture "qwen2" or "llama". Qwen2's rotary
// embedding over halves is what llama.cpp's qwen2 graph computes, so its rows go unchanged;
// Llama's q/k rows are permuted as llama.cpp's converter does (core/formats/arch/llama.ts).
import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { openSafetensorsShards } from "../safetensors-shards";
import { parseExportConfig, archMetadata, type GgufExportConfig } from "./arch-metadata";
import { qwen2GgufName, requiredQwen2Tensors } from "./tensor-names";
import { parseTokenizerJson, tokenizerMetadata } from "./tokenizer-metadata";
import { GgufFormatError, type GgufMetadata } from "./types";
import { blockMisfit } from "./quants";
import { writeGgufFile, type GgufTensorSource, type GgufWriteType } from "./writer";

export type ExportDtype = "f32" | "f16" | "q8_0";

export interface ExportOptions {
  checkpointDir: string;
  outPath: string;
  dtype: ExportDtype;
  /** general.name; defaults to the checkpoint folder's name. */
  name?: string;
}

export interface ExportResult {
  outPath: string;
  bytes: number;
  tensors: number;
  config: GgufExportConfig;
  /** Things the user may want to know (tensors skipped, ignored head). */
  notes: string[];
}

function readJson(path: string): unknown {
  if (!existsSync(path)) throw new GgufFormatError(`${path}: not found; a checkpoint directory holds config.json, model.safetensors and tokenizer.json`);
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new GgufFormatError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** The GGUF file_type code (llama_ftype): 0 all F32, 1 mostly F16, 7 mostly Q8_0. */
const FILE_TYPE: Record<ExportDtype, number> = { f32: 0, f16: 1, q8_0: 7 };

/**
 * llama.cpp's converter keeps 1-D tensors (norms, biases) in F32 whatever the file type, and
 * writes a matrix whose rows are not whole Q8_0 blocks in F16.
 */
function weightType(dtype: ExportDtype, shape: number[]): GgufWriteType {
  if (dtype === "f32" || shape.length < 2) return "F32";
  if (dtype === "q8_0" && !blockMisfit("Q8_0", shape[shape.length - 1]!)) return "Q8_0";
  return "F16";
}

export function exportGguf(options: ExportOptions): ExportResult {
  const dir = resolve(options.checkpointDir);
  const shards = openSafetensorsShards(dir);
  try {
    const tensors = shards.flatMap((file) => [...file.tensors].map(([hfName, info]) => ({ hfName, shape: info.shape, where: file.path, read: () => file.readFloat32(hfName).data })));
    return writeModelGguf({ config: readJson(join(dir, "config.json")), configPath: join(dir, "config.json"), tokenizer: readJson(join(dir, "tokenizer.json")), tokenizerPath: join(dir, "tokenizer.json"), tensors }, { ...options, name: options.name ?? basename(dir) });
  } finally {
    for (const f of shards) f.close();
  }
}

/** A tensor under its Hugging Face name, in Hugging Face's row order, read when written. */
export interface HfTensorSource {
  hfName: string;
  shape: number[];
  /** The file it comes from, for errors. */
  where: string;
  read(): Float32Array;
}

/** config.json and tokenizer.json as parsed JSON, and the weights: what a GGUF is made of. */
export interface GgufModelInputs {
  config: unknown;
  configPath: string;
  tokenizer: unknown;
  tokenizerPath: string;
  tensors: readonly HfTensorSource[];
}

/** Writes one GGUF from a model's configuration, tokenizer and tensors (a folder's, or merged ones). */
export function writeModelGguf(model: GgufModelInputs, options: Pick<ExportOptions, "outPath" | "dtype"> & { name: string }): ExportResult {
  const config = parseExportConfig(model.config, model.configPath);
  const tokenizer = parseTokenizerJson(model.tokenizer, model.tokenizerPath);
  const notes: string[] = [];
  const sources: GgufTensorSource[] = [];
  for (const t of model.tensors) {
    const mapped = qwen2GgufName(t.hfName);
    if ("skip" in mapped) continue;
    if ("unknown" in mapped) throw new GgufFormatError(`${t.where}: tensor ${t.hfName} is not part of a Qwen2 model`);
    if (mapped.gguf === "output.weight" && config.tied) {
      notes.push("lm_head.weight ignored: config.json ties it to the embeddings");
      continue;
    }
    const type = weightType(options.dtype, t.shape);
    const rows = t.shape[0]!;
    const headSize = config.headDim ?? config.hiddenSize / config.heads;
    const permuted = /\.self_attn\.[qk]_proj\./.test(t.hfName);
    const read = permuted ? () => config.architecture.toGgufRows(t.read(), rows, rows / headSize) : () => t.read();
    sources.push({ name: mapped.gguf, shape: t.shape, type, read });
  }
  checkTensors(config, sources);
  const embedding = sources.find((s) => s.name === "token_embd.weight")!;
  const metadata: GgufMetadata = new Map([
    ...archMetadata(config, options.name, FILE_TYPE[options.dtype]),
    ...tokenizerMetadata(tokenizer, embedding.shape[0]!, config),
  ]);
  const { bytes } = writeGgufFile(options.outPath, metadata, sources);
  return { outPath: resolve(options.outPath), bytes, tensors: sources.length, config, notes };
}

/** Fails before writing anything when a tensor is missing or has a shape llama.cpp would reject. */
function checkTensors(cfg: GgufExportConfig, sources: GgufTensorSource[]): void {
  const byName = new Map(sources.map((s) => [s.name, s.shape]));
  const missing = requiredQwen2Tensors(cfg.layers, cfg.tied).filter((n) => !byName.has(n));
  if (missing.length) throw new GgufFormatError(`the checkpoint lacks ${missing.length} tensor(s) a ${cfg.architecture.name} GGUF needs: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""}`);
  const head = cfg.headDim ?? cfg.hiddenSize / cfg.heads;
  const expect: Record<string, number[]> = {
    "token_embd.weight": [byName.get("token_embd.weight")![0]!, cfg.hiddenSize],
    "output_norm.weight": [cfg.hiddenSize],
  };
  for (let i = 0; i < cfg.layers; i++) {
    const b = `blk.${i}.`;
    Object.assign(expect, {
      [`${b}attn_norm.weight`]: [cfg.hiddenSize],
      [`${b}ffn_norm.weight`]: [cfg.hiddenSize],
      [`${b}attn_q.weight`]: [cfg.heads * head, cfg.hiddenSize],
      [`${b}attn_k.weight`]: [cfg.kvHeads * head, cfg.hiddenSize],
      [`${b}attn_v.weight`]: [cfg.kvHeads * head, cfg.hiddenSize],
      [`${b}attn_output.weight`]: [cfg.hiddenSize, cfg.heads * head],
      [`${b}ffn_gate.weight`]: [cfg.intermediateSize, cfg.hiddenSize],
      [`${b}ffn_up.weight`]: [cfg.intermediateSize, cfg.hiddenSize],
      [`${b}ffn_down.weight`]: [cfg.hiddenSize, cfg.intermediateSize],
    });
  }
  for (const [name, shape] of byName) {
    const want = expect[name] ?? (name === "output.weight" ? [byName.get("token_embd.weight")![0]!, cfg.hiddenSize] : undefined);
    if (want && want.join() !== shape.join()) {
      throw new GgufFormatError(`tensor ${name} has shape [${shape.join(", ")}], but config.json implies [${want.join(", ")}]`);
    }
  }
  const rows = byName.get("token_embd.weight")![0]!;
  if (rows < cfg.vocabSize) throw new GgufFormatError(`the embedding has ${rows} rows but config.json says vocab_size ${cfg.vocabSize}`);
}
