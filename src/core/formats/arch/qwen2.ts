// Qwen2 (Qwen2.5-Coder): q/k/v biases, and on disk the same rows in both formats, because
// llama.cpp's qwen2 graph applies rotary embeddings over halves (NEOX) as transformers does.
import type { Architecture } from "./types";

const same = (data: Float32Array): Float32Array => data;

export const QWEN2: Architecture = {
  name: "qwen2",
  hfClass: "Qwen2ForCausalLM",
  defaultQkvBias: true,
  toGgufRows: same,
  fromGgufRows: same,
};
