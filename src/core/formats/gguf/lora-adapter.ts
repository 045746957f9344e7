// A LoRA adapter as llama.cpp loads it beside its base (src/llama-adapter.cpp): a GGUF of
// general.type "adapter", the base's architecture, adapter.type "lora" and adapter.lora.alpha,
// holding for each adapted projection the base tensor's name + ".lora_a" / ".lora_b". In ggml's
// order a.ne = [n_in, r] and b.ne = [r, n_out]: exactly PEFT's lora_A.weight [r, in] and
// lora_B.weight [out, r] written row-major, so the factors go in without a transpose. llama.cpp
// applies y = W x + scale * (alpha / r) * B (A x); the output layer of a tied model has none.
import { resolve } from "node:path";
import { parseExportConfig, type GgufExportConfig } from "./arch-metadata";
import { readAdapterFactors } from "../adapter-folder";
import { DEFAULT_TARGET_MODULES, loraScaling } from "../lora-config";
import { ggufModelConfig } from "./read-model";
import { readGguf } from "./reader";
import { qwen2GgufName } from "./tensor-names";
import { f32, GgufFormatError, str, u32, type GgufMetadata } from "./types";
import { writeGgufFile, type GgufTensorSource } from "./writer";

export interface LoraFactor {
  /** The base weight's Hugging Face name ("model.layers.0.self_attn.q_proj.weight"). */
  weightName: string;
  /** lora_A [r, in] and lora_B [out, r], row-major, as PEFT stores them. */
  a: { shape: [number, number]; data: Float32Array };
  b: { shape: [number, number]; data: Float32Array };
}

export interface GgufLoraOptions {
  /** The base's config: the architecture and the sizes the factors must fit. */
  base: GgufExportConfig;
  rank: number;
  /** What the update is scaled by, divided by the rank: alpha / r (rsLoRA's alpha / sqrt(r) is passed as alpha * sqrt(r)). */
  alpha: number;
  factors: readonly LoraFactor[];
  name: string;
}

/** Every projection a LoRA of these target modules adapts, by Hugging Face name. */
function adaptedWeightNames(layers: number, targetModules: readonly string[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < layers; i++) {
    for (const m of targetModules) names.push(`model.layers.${i}.${["gate_proj", "up_proj", "down_proj"].includes(m) ? "mlp" : "self_attn"}.${m}.weight`);
  }
  return names;
}

/** An adapter folder (adapter-folder.ts) as the GGUF adapter llama.cpp loads over `baseGguf`. */
export function adapterFolderToGguf(adapterDir: string, baseGguf: string, outPath: string): { outPath: string; bytes: number; tensors: number } {
  const { config } = ggufModelConfig(readGguf(baseGguf), baseGguf);
  const base = parseExportConfig(config, baseGguf);
  // Every projection of the base is looked up; the folder holds those its target modules name.
  const { factors, config: lora } = readAdapterFactors(adapterDir, adaptedWeightNames(base.layers, DEFAULT_TARGET_MODULES));
  // llama.cpp scales by alpha / r: rsLoRA's alpha / sqrt(r) is written as the alpha that gives it.
  return writeGgufLoraAdapter(outPath, { base, rank: lora.r, alpha: loraScaling(lora) * lora.r, factors, name: `repotune adapter of ${baseGguf}` });
}

export function writeGgufLoraAdapter(outPath: string, options: GgufLoraOptions): { outPath: string; bytes: number; tensors: number } {
  const { base, rank } = options;
  if (options.factors.length === 0) throw new GgufFormatError("a LoRA adapter needs at least one adapted projection");
  const headSize = base.headDim ?? base.hiddenSize / base.heads;
  const sources: GgufTensorSource[] = [];
  for (const f of options.factors) {
    const mapped = qwen2GgufName(f.weightName);
    if (!("gguf" in mapped) || !/^blk\.\d+\./.test(mapped.gguf)) throw new GgufFormatError(`LoRA adapter: ${f.weightName} is not a projection of a decoder layer`);
    const [ar, inputs] = f.a.shape;
    const [outputs, br] = f.b.shape;
    if (ar !== rank || br !== rank) throw new GgufFormatError(`LoRA adapter: ${f.weightName} has rank ${ar}/${br}, expected ${rank}`);
    if (f.a.data.length !== ar * inputs || f.b.data.length !== outputs * br) throw new GgufFormatError(`LoRA adapter: ${f.weightName}'s data does not fill its shape`);
    // Llama's q/k rows are permuted in its GGUF (arch/llama.ts): B's output rows follow the base's.
    const permuted = /\.self_attn\.[qk]_proj\.weight$/.test(f.weightName);
    const b = permuted ? base.architecture.toGgufRows(f.b.data, outputs, outputs / headSize) : f.b.data;
    sources.push({ name: `${mapped.gguf}.lora_a`, shape: [ar, inputs], type: "F32", read: () => f.a.data });
    sources.push({ name: `${mapped.gguf}.lora_b`, shape: [outputs, br], type: "F32", read: () => b });
  }
  const metadata: GgufMetadata = new Map([
    ["general.type", str("adapter")],
    ["general.architecture", str(base.architecture.name)],
    ["general.name", str(options.name)],
    ["general.alignment", u32(32)],
    ["adapter.type", str("lora")],
    ["adapter.lora.alpha", f32(options.alpha)],
  ]);
  const { bytes } = writeGgufFile(outPath, metadata, sources);
  return { outPath: resolve(outPath), bytes, tensors: sources.length };
}
