// A GGUF of a real base's exact shape with random weights (Q8_0, as llama.vscode serves
// Qwen2.5-Coder), and the real Qwen2.5-Coder vocabulary: what a base costs to serve depends on
// its shape, not on what its weights learnt. Cached: a 0.5B file takes ~10 s to write.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { archMetadata, parseExportConfig, writeGgufFile, type GgufTensorSource } from "../src/core/formats/gguf";
import { parameterShapes, type Qwen2Config } from "../src/core/formats/qwen2-config";
import { qwen2GgufName } from "../src/core/formats/gguf/tensor-names";
import { qwen25TokenizerMetadata } from "../test/helpers/llama-source";
import { hashString32 } from "../src/core/random/seeded-random";
import { modelShape } from "./model-shapes";

/** The 2-D weights' type; llama.cpp's converter keeps norms and biases in F32. */
export const SHAPE_WEIGHT_TYPE = "Q8_0" as const;

/** Uniform values of the scale of trained weights (std ~0.02), fast: ~500M of them per 0.5B model. */
function randomTensor(size: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296 - 0.5) * 2 * scale;
  }
  return out;
}

export function shapeGgufPath(cacheDir: string, shape: string): string {
  return join(cacheDir, `${shape}-random-${SHAPE_WEIGHT_TYPE.toLowerCase()}.gguf`);
}

/** Writes (or finds) the GGUF of `shape`; returns its path. */
export function shapeGguf(cacheDir: string, shape: string, log: (m: string) => void = () => undefined): string {
  const config: Qwen2Config = modelShape(shape);
  const path = shapeGgufPath(cacheDir, shape);
  if (existsSync(path)) return path;
  mkdirSync(cacheDir, { recursive: true });
  const started = Date.now();
  const sources: GgufTensorSource[] = [];
  for (const [name, dims] of parameterShapes(config)) {
    const mapped = qwen2GgufName(name);
    if (!("gguf" in mapped)) continue;
    const size = dims.reduce((a, b) => a * b, 1);
    const norm = name.endsWith("norm.weight");
    sources.push({
      name: mapped.gguf,
      shape: dims,
      type: dims.length >= 2 ? SHAPE_WEIGHT_TYPE : "F32",
      read: () => (norm ? new Float32Array(size).fill(1) : randomTensor(size, hashString32(name), dims.length >= 2 ? 0.035 : 0.02)),
    });
  }
  const metadata = new Map([...archMetadata(parseExportConfig(config), `random ${shape}`, 7), ...qwen25TokenizerMetadata()]);
  writeGgufFile(path, metadata, sources);
  log(`wrote ${path} (${(statSync(path).size / 2 ** 20).toFixed(0)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return path;
}
