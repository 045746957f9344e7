// W + scaling * B A for every weight a PEFT adapter targets, on host arrays: the model folder
// of an adapter run holds the merged weights, so it loads and serves without PEFT, and the
// adapter folder beside it stays for those who want the base and the adapter apart.
import { SafetensorsFile } from "../safetensors";

/** PEFT's key of a factor: base_model.model.<weight name without .weight>.lora_A.weight. */
const FACTOR_KEY = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/;

export interface LoraFactors {
  scaling: number;
  /** By the Hugging Face weight name they adapt. */
  pairs: Map<string, { a: { shape: number[]; data: Float32Array }; b: { shape: number[]; data: Float32Array } }>;
}

export function readLoraFactors(weightsFile: string, config: { r: number; lora_alpha: number; use_rslora?: boolean }): LoraFactors {
  const st = SafetensorsFile.open(weightsFile);
  const halves = new Map<string, { A?: { shape: number[]; data: Float32Array }; B?: { shape: number[]; data: Float32Array } }>();
  try {
    for (const key of st.tensors.keys()) {
      const m = FACTOR_KEY.exec(key);
      if (!m) throw new Error(`${weightsFile}: "${key}" is not a LoRA factor by PEFT's names`);
      const weight = `${m[1]}.weight`;
      const entry = halves.get(weight) ?? {};
      const t = st.readFloat32(key);
      entry[m[2] as "A" | "B"] = { shape: [...t.shape], data: t.data };
      halves.set(weight, entry);
    }
  } finally {
    st.close();
  }
  const pairs: LoraFactors["pairs"] = new Map();
  for (const [weight, { A, B }] of halves) {
    if (!A || !B) throw new Error(`${weightsFile}: ${weight} has lora_${A ? "B" : "A"} missing`);
    pairs.set(weight, { a: A, b: B });
  }
  return { scaling: config.use_rslora ? config.lora_alpha / Math.sqrt(config.r) : config.lora_alpha / config.r, pairs };
}

/** The merged weight: a copy of `w` [out, in] plus scaling * B [out, r] @ A [r, in]. */
export function mergeFactors(name: string, w: Float32Array, shape: readonly number[], f: LoraFactors): Float32Array {
  const pair = f.pairs.get(name);
  if (!pair) return w;
  const [out, inp] = shape as [number, number];
  const r = pair.a.shape[0]!;
  if (pair.a.shape[1] !== inp || pair.b.shape[0] !== out || pair.b.shape[1] !== r) {
    throw new Error(`LoRA factors of ${name} ([${pair.b.shape}] x [${pair.a.shape}]) do not fit its shape [${shape}]`);
  }
  const merged = Float32Array.from(w);
  const { a, b } = pair;
  for (let o = 0; o < out; o++) {
    const row = o * inp;
    for (let k = 0; k < r; k++) {
      const s = f.scaling * b.data[o * r + k]!;
      if (s === 0) continue;
      const ak = k * inp;
      for (let i = 0; i < inp; i++) merged[row + i]! += s * a.data[ak + i]!;
    }
  }
  return merged;
}
