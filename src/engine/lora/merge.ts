// Folds trained adapters into the base weights for export (GGUF, a plain HF folder):
// W' = W + scaling * B A. The merged model computes what the adapted one does, without the
// adapter's extra products at inference.
import * as tf from "@tensorflow/tfjs-core";
import type { LoraAdapters } from "./adapters";

export interface HostWeight {
  shape: number[];
  data: Float32Array;
}

/** The merged weight of one adapted projection (a new tensor; the caller disposes it). */
export function mergedWeight(base: tf.Tensor, adapters: LoraAdapters, weightName: string): tf.Tensor2D {
  const pair = adapters.pair(weightName);
  if (!pair) throw new Error(`LoRA merge: ${weightName} has no adapter`);
  // B [out, r] x A [r, in]: a plain NN product.
  return tf.tidy(() => tf.add(base, tf.mul(tf.matMul(pair.b, pair.a), adapters.scaling)) as tf.Tensor2D);
}

/** Every base weight, adapted ones merged, in host memory by Hugging Face name. The base is unchanged. */
export async function mergedWeights(base: ReadonlyMap<string, tf.Tensor>, adapters: LoraAdapters): Promise<Map<string, HostWeight>> {
  const out = new Map<string, HostWeight>();
  for (const [name, w] of base) {
    if (adapters.pair(name)) {
      const merged = mergedWeight(w, adapters, name);
      out.set(name, { shape: merged.shape.slice(), data: (await merged.data()) as Float32Array });
      merged.dispose();
    } else {
      out.set(name, { shape: w.shape.slice(), data: new Float32Array((await w.data()) as Float32Array) });
    }
  }
  return out;
}

/** Merges in place: the base variables become W + scaling B A. Detach the adapters afterwards. */
export function mergeInto(base: ReadonlyMap<string, tf.Variable>, adapters: LoraAdapters): void {
  for (const name of adapters.targets) {
    const v = base.get(name);
    if (!v) throw new Error(`LoRA merge: the model has no ${name}`);
    const merged = mergedWeight(v, adapters, name);
    v.assign(merged);
    merged.dispose();
  }
}
