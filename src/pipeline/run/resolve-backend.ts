import type { BackendName } from "../../core/protocol";
import { selectBackend } from "../../engine/backends/select";

/** Activates the requested training backend (`auto`: the fastest that loads) in this process. */
export async function resolveBackend(requested: string): Promise<{ backend: string; device: string; reason: string }> {
  const selected = await selectBackend(requested as BackendName);
  return { backend: selected.backend, device: selected.device, reason: selected.reason };
}
