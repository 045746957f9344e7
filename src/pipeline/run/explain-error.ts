// Turns a failure inside the pipeline into a message and a hint a user can act on.
import { BackendError } from "../../engine/backends/select";

export function explainPipelineError(err: unknown): { message: string; hint: string } {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (err instanceof BackendError) {
    return { message, hint: err.hint ?? "Choose another backend (setting repotune.backend, or --backend), or leave it on auto." };
  }
  if (code === "ENOSPC") {
    return {
      message: `The disk is full: ${message}`,
      hint: "Free some disk space (or point repotune.dataFolder / --out at another disk), then run again with resume: finished stages are kept.",
    };
  }
  if (code === "EACCES" || code === "EPERM") {
    return { message: `No permission: ${message}`, hint: "Choose a data folder you can write to (repotune.dataFolder, or --out)." };
  }
  // The wasm heap is 32-bit: past 4 GiB it aborts with one of these.
  if (/Cannot enlarge memory|Out of memory|Aborted\(|memory access out of bounds|Array buffer allocation failed/i.test(message)) {
    return {
      message: `Training ran out of memory: ${message}`,
      hint: "Choose a smaller preset (repotune.preset, or --preset), or a GPU backend; the last checkpoint is kept.",
    };
  }
  return { message, hint: "See the log for details (RepoTune: Show log); fix the cause and run again with resume: finished stages are kept." };
}
