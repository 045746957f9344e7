// Which parameters AdamW decays, decided by Hugging Face name: not norms and not biases (their
// scale is meaningful and decaying it only hurts, as in nanoGPT and HF Trainer's defaults);
// yes to matrices, embeddings and LoRA factors.

export function isWeightDecayed(name: string): boolean {
  if (name.endsWith(".bias")) return false;
  // input_layernorm, post_attention_layernorm, model.norm, q_norm/k_norm of newer families.
  const module = name.split(".").slice(-2, -1)[0] ?? "";
  return !/norm/i.test(module);
}
