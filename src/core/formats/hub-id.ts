// The Hugging Face id of a base found on this machine, so scripts run elsewhere (a cluster that
// has no copy of the user's files) can fetch the same model. Only two cases are certain enough:
// a folder of the hub's cache names its repository, and Qwen2.5-Coder GGUF files (what RepoTune
// downloads, from ggml-org) are named after the model they were converted from.
import { basename } from "node:path";

export interface HubIdGuess {
  id: string;
  /** How it was found, said in settings.json so a user can judge it. */
  how: string;
}

/** huggingface_hub's cache: .../models--{org}--{name}/snapshots/{commit}[/...]. */
const HF_CACHE = /(?:^|[\\/])models--([^\\/]+?)--([^\\/]+)[\\/]snapshots(?:[\\/]|$)/;
const QWEN_CODER_GGUF = /qwen2\.5-coder-(\d+(?:\.\d+)?)b(-instruct)?/i;

export function guessHubId(path: string): HubIdGuess | null {
  // The file name first: a GGUF in the hub cache sits in a GGUF repo (ggml-org/...-GGUF),
  // which transformers and PEFT cannot load as a base.
  const name = basename(path);
  const qwen = /\.gguf$/i.test(name) ? QWEN_CODER_GGUF.exec(name) : null;
  if (qwen) {
    const id = `Qwen/Qwen2.5-Coder-${qwen[1]}B${qwen[2] ? "-Instruct" : ""}`;
    return { id, how: `the base was the GGUF file ${name}, a conversion of ${id}: the scripts train ${id} itself (TRL cannot train from GGUF)` };
  }
  const cached = HF_CACHE.exec(path);
  if (cached) return { id: `${cached[1]}/${cached[2]}`, how: "the Hugging Face cache folder it was read from names this repository" };
  return null;
}
