// Hugging Face tensor names <-> llama.cpp's GGUF names (llama.cpp's convert_hf_to_gguf.py and
// gguf-py/gguf/tensor_mapping.py): the same for architectures "qwen2" and "llama".

const LAYER_PARTS: Record<string, string> = {
  "input_layernorm.weight": "attn_norm.weight",
  "self_attn.q_proj.weight": "attn_q.weight",
  "self_attn.q_proj.bias": "attn_q.bias",
  "self_attn.k_proj.weight": "attn_k.weight",
  "self_attn.k_proj.bias": "attn_k.bias",
  "self_attn.v_proj.weight": "attn_v.weight",
  "self_attn.v_proj.bias": "attn_v.bias",
  "self_attn.o_proj.weight": "attn_output.weight",
  "post_attention_layernorm.weight": "ffn_norm.weight",
  "mlp.gate_proj.weight": "ffn_gate.weight",
  "mlp.up_proj.weight": "ffn_up.weight",
  "mlp.down_proj.weight": "ffn_down.weight",
};

const TOP_LEVEL: Record<string, string> = {
  "model.embed_tokens.weight": "token_embd.weight",
  "model.norm.weight": "output_norm.weight",
  "lm_head.weight": "output.weight",
};

/** Names a checkpoint may hold that the GGUF does not need (recomputed by llama.cpp). */
const IGNORED = /(^|\.)rotary_emb\.inv_freq$/;

export type NameMapping = { gguf: string } | { skip: string } | { unknown: true };

export function qwen2GgufName(hfName: string): NameMapping {
  if (IGNORED.test(hfName)) return { skip: "rotary frequencies are recomputed by llama.cpp" };
  const top = TOP_LEVEL[hfName];
  if (top) return { gguf: top };
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(hfName);
  const part = m ? LAYER_PARTS[m[2]!] : undefined;
  if (m && part) return { gguf: `blk.${m[1]}.${part}` };
  return { unknown: true };
}

const HF_BY_GGUF_TOP = new Map(Object.entries(TOP_LEVEL).map(([hf, gguf]) => [gguf, hf]));
const HF_BY_GGUF_PART = new Map(Object.entries(LAYER_PARTS).map(([hf, gguf]) => [gguf, hf]));

/** The Hugging Face name of a GGUF tensor, or undefined for one the decoder has no place for. */
export function hfNameOfGguf(ggufName: string): string | undefined {
  const top = HF_BY_GGUF_TOP.get(ggufName);
  if (top) return top;
  const m = /^blk\.(\d+)\.(.+)$/.exec(ggufName);
  const part = m ? HF_BY_GGUF_PART.get(m[2]!) : undefined;
  return m && part ? `model.layers.${m[1]}.${part}` : undefined;
}

/** The tensors llama.cpp requires for a qwen2 model with `layers` blocks. */
export function requiredQwen2Tensors(layers: number, tied: boolean): string[] {
  const names = ["token_embd.weight", "output_norm.weight"];
  if (!tied) names.push("output.weight");
  for (let i = 0; i < layers; i++) {
    for (const part of ["attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"]) {
      names.push(`blk.${i}.${part}.weight`);
    }
  }
  return names;
}
