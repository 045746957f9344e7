// Llama: no biases by default, and q/k rows stored permuted in GGUF. transformers rotates each
// head's two halves (rotate_half); llama.cpp's llama graph rotates adjacent pairs, so its
// converter (convert_hf_to_gguf.py, LlamaModel.permute) interleaves the halves of every head:
// GGUF row h*d + 2i + s holds Hugging Face row h*d + s*(d/2) + i. Reading a Llama GGUF must undo
// that, or every attention score is computed on scrambled dimensions.
import { ArchitectureError, type Architecture } from "./types";

function reorder(data: Float32Array, rows: number, heads: number, toGguf: boolean): Float32Array {
  if (rows % heads !== 0 || (rows / heads) % 2 !== 0) {
    throw new ArchitectureError(`a llama q/k projection of ${rows} rows cannot be split into ${heads} heads of even size`);
  }
  const cols = data.length / rows;
  const headDim = rows / heads;
  const half = headDim / 2;
  const out = new Float32Array(data.length);
  for (let h = 0; h < heads; h++) {
    for (let s = 0; s < 2; s++) {
      for (let i = 0; i < half; i++) {
        const hf = h * headDim + s * half + i;
        const gguf = h * headDim + 2 * i + s;
        const [from, to] = toGguf ? [hf, gguf] : [gguf, hf];
        out.set(data.subarray(from * cols, (from + 1) * cols), to * cols);
      }
    }
  }
  return out;
}

export const LLAMA: Architecture = {
  name: "llama",
  hfClass: "LlamaForCausalLM",
  defaultQkvBias: false,
  toGgufRows: (data, rows, heads) => reorder(data, rows, heads, true),
  fromGgufRows: (data, rows, heads) => reorder(data, rows, heads, false),
};
