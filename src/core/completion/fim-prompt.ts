// The fill-in-the-middle prompt, in PSM order (prefix, suffix, middle) with the Qwen2.5-Coder
// special tokens: the FIM samples of sft.jsonl are written with it and the completion server
// must ask with exactly the same layout. It carries no file path, like node-llama-cpp's infill.
import { FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX } from "../tokenizer/special-tokens";

export function formatFimPrompt(prefix: string, suffix: string): string {
  return `${FIM_PREFIX}${prefix}${FIM_SUFFIX}${suffix}${FIM_MIDDLE}`;
}

/** The prefix and suffix of a prompt made by formatFimPrompt; null when it is not one. */
export function parseFimPrompt(prompt: string): { prefix: string; suffix: string } | null {
  if (!prompt.startsWith(FIM_PREFIX) || !prompt.endsWith(FIM_MIDDLE)) return null;
  const body = prompt.slice(FIM_PREFIX.length, prompt.length - FIM_MIDDLE.length);
  // The last FIM_SUFFIX: a prefix may quote the token's text (this very file does), a suffix
  // containing it would be cut wrong, and the builders skip such files' FIM samples.
  const cut = body.lastIndexOf(FIM_SUFFIX);
  if (cut === -1) return null;
  return { prefix: body.slice(0, cut), suffix: body.slice(cut + FIM_SUFFIX.length) };
}
