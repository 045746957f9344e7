// Turns a failure inside the pipeline into a message and a hint a user can act on.
import { join } from "node:path";
import { folderBytes, formatSize, freeBytes } from "../../core/fs/disk-usage";
import { RunLockedError } from "../../core/runs/run-lock";
import { BackendError } from "../../engine/backends/select";

/** Where to make room: the disk's free space, and what of the data folder RepoTune could give back. */
function diskFullHint(out: string | undefined): string {
  const resume = "then run again with resume: finished stages are kept";
  if (!out) return `Free some disk space (or point repotune.dataFolder / --out at another disk), ${resume}.`;
  const free = freeBytes(out);
  const runs = folderBytes(join(out, "runs"));
  const stages = folderBytes(join(out, "stages"));
  const imports = folderBytes(join(out, "imports"));
  const ours = [
    runs > 0 ? `${join(out, "runs")} holds ${formatSize(runs)} (each run's model copies: delete the folders of runs you no longer need, not the active one)` : "",
    imports > 0 ? `${join(out, "imports")} holds ${formatSize(imports)} (imported models)` : "",
    stages > 0 ? `${join(out, "stages")} holds ${formatSize(stages)} (the stages' checkpoints: deleting it makes the next run train again from the start)` : "",
  ].filter(Boolean);
  return `The disk holding ${out} has ${free === null ? "too little" : formatSize(free)} free. Free space there, or point repotune.dataFolder / --out at another disk${ours.length ? `; of RepoTune's own data, ${ours.join("; ")}` : ""}; ${resume}.`;
}

export function explainPipelineError(err: unknown, context: { out?: string } = {}): { message: string; hint: string } {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (err instanceof BackendError) {
    return { message, hint: err.hint ?? "Choose another backend (setting repotune.backend, or --backend), or leave it on auto." };
  }
  if (err instanceof RunLockedError) {
    return { message, hint: "Wait for that run to end, or cancel it where it runs (RepoTune: Cancel training, or Ctrl-C in the terminal); then start again." };
  }
  if (code === "ENOSPC") {
    return { message: `The disk is full: ${message}`, hint: diskFullHint(context.out) };
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
