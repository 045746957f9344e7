// The architectures RepoTune reads and writes, by their GGUF / model_type name.
import { LLAMA } from "./llama";
import { QWEN2 } from "./qwen2";
import { ArchitectureError, type Architecture, type ArchitectureName } from "./types";

export { ArchitectureError, type Architecture, type ArchitectureName } from "./types";

export const ARCHITECTURES: Readonly<Record<ArchitectureName, Architecture>> = { qwen2: QWEN2, llama: LLAMA };

/** The architecture named `name` (GGUF general.architecture or config.json model_type), or a clear error. */
export function architectureNamed(name: unknown, where: string): Architecture {
  if (name === "qwen2" || name === "llama") return ARCHITECTURES[name];
  throw new ArchitectureError(
    `${where}: architecture ${JSON.stringify(name)} is not one RepoTune trains (qwen2, llama); Qwen2.5-Coder and Llama-family code models are`,
  );
}

/** The architecture of a Hugging Face config by its class name (architectures[0]) or model_type. */
export function architectureOfConfig(config: { model_type?: unknown; architectures?: unknown }, where: string): Architecture {
  const cls = Array.isArray(config.architectures) ? config.architectures[0] : undefined;
  for (const a of Object.values(ARCHITECTURES)) if (cls === a.hfClass) return a;
  return architectureNamed(config.model_type ?? "qwen2", where);
}
