// An architecture as the file formats see it: what its Hugging Face config and GGUF metadata
// are called, and how its tensors differ between the two. The engine trains one decoder
// (core/formats/qwen2-config: RMSNorm, rotary over halves, GQA, SwiGLU); Qwen2 and Llama are
// that decoder with or without q/k/v biases, and differ on disk only.

export type ArchitectureName = "qwen2" | "llama";

export interface Architecture {
  name: ArchitectureName;
  /** config.json's `architectures[0]`. */
  hfClass: string;
  /** Whether q/k/v carry biases when config.json does not say (`attention_bias`). */
  defaultQkvBias: boolean;
  /**
   * The GGUF rows of q_proj and k_proj (weight and bias) from Hugging Face's; identity for
   * Qwen2. `heads` is the tensor's own head count (num_key_value_heads for k_proj).
   */
  toGgufRows(data: Float32Array, rows: number, heads: number): Float32Array;
  /** The inverse of toGgufRows: Hugging Face's rows from a GGUF file's. */
  fromGgufRows(data: Float32Array, rows: number, heads: number): Float32Array;
}

export class ArchitectureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArchitectureError";
  }
}
