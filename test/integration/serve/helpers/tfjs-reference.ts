// Our tfjs Qwen2 (src/engine/model) as the reference llama.cpp is held to: the model that
// trains is the model that serves, to 1e-4 in log-probs.
import { selectBackend } from "../../../../src/engine/backends/select";
import { makeQwen2Config, Qwen2Model, type WeightMap } from "../../../../src/engine/model";
import type { TinyConfig } from "./tiny-checkpoint";

let ready: Promise<unknown> | undefined;

/** Log-probs of every vocabulary entry after each position, computed on the wasm backend. */
export async function tfjsLogProbs(cfg: TinyConfig, weights: WeightMap, tokens: number[], prepare?: (model: Qwen2Model) => void): Promise<Float64Array[]> {
  await (ready ??= selectBackend("wasm"));
  const model = Qwen2Model.fromWeights(makeQwen2Config({ ...cfg }), weights);
  try {
    // A hook before the forward: LoRA adapters attached, for one.
    prepare?.(model);
    const logits = model.logits({ batchSize: 1, seqLen: tokens.length, inputIds: Int32Array.from(tokens) });
    const data = (await logits.data()) as Float32Array;
    logits.dispose();
    const V = cfg.vocab_size;
    return tokens.map((_, pos) => {
      const row = Float64Array.from(data.subarray(pos * V, pos * V + V));
      const max = Math.max(...row);
      let z = 0;
      for (const v of row) z += Math.exp(v - max);
      const lz = max + Math.log(z);
      return row.map((v) => v - lz);
    });
  } finally {
    model.dispose();
  }
}
