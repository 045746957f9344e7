// Parameters live in a Map keyed by their Hugging Face tensor names, each in the layout
// PyTorch stores (projections [out, in]), so safetensors files load and save without any
// renaming or transposing, and GGUF export maps names one to one.
import { hashSeed, seededRandom, normalArray } from "../../core/random/seeded-random";
import { parameterShapes, type Qwen2Config } from "../../core/formats/qwen2-config";

/** A tensor in host memory: what a safetensors reader gives and a writer takes (float32, row-major). */
export interface HostTensor {
  shape: readonly number[];
  data: Float32Array;
}

export type WeightMap = Map<string, HostTensor>;

/**
 * Deterministic initial weights, as transformers' Qwen2PreTrainedModel._init_weights does:
 * N(0, initializer_range) for projections and embeddings, zeros for biases, ones for norms.
 * Each tensor draws from its own stream (seed, name), so the numbers do not depend on the
 * backend or on which other tensors exist.
 */
export function initialWeights(config: Qwen2Config, seed: number): WeightMap {
  const out: WeightMap = new Map();
  for (const [name, shape] of parameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (name.endsWith("norm.weight")) data = new Float32Array(size).fill(1);
    else if (name.endsWith(".bias")) data = new Float32Array(size);
    else data = normalArray(size, config.initializer_range, seededRandom(hashSeed(seed, name)));
    out.set(name, { shape, data });
  }
  return out;
}

export class WeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WeightsError";
  }
}

/**
 * Checks that `weights` holds exactly the tensors `config` needs, with the right shapes.
 * A tied model's checkpoint may carry a redundant lm_head.weight (some exporters write it);
 * it is ignored. Anything else missing, extra or misshapen is an error naming it.
 */
export function checkWeights(config: Qwen2Config, weights: ReadonlyMap<string, { shape: readonly number[] }>): void {
  const expected = parameterShapes(config);
  const problems: string[] = [];
  for (const [name, shape] of expected) {
    const w = weights.get(name);
    if (!w) problems.push(`missing ${name} [${shape.join(", ")}]`);
    else if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
      problems.push(`${name} has shape [${w.shape.join(", ")}], expected [${shape.join(", ")}]`);
    }
  }
  for (const name of weights.keys()) {
    if (!expected.has(name) && !(name === "lm_head.weight" && config.tie_word_embeddings)) problems.push(`unexpected tensor ${name}`);
  }
  if (problems.length) {
    const shown = problems.slice(0, 8).join("; ");
    throw new WeightsError(`weights do not match config.json: ${shown}${problems.length > 8 ? `; and ${problems.length - 8} more` : ""}`);
  }
}
