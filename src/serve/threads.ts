// How many CPU threads llama.cpp gets. Measured on a 2-core machine (shared/notes): 2 or 4
// threads made prompt processing 4-15x slower than 1, since the cores are shared with the
// editor and each other; with more cores a few threads pay off, up to about half of them.
import { availableParallelism } from "node:os";

export function defaultThreads(cores = availableParallelism()): number {
  if (cores <= 2) return 1;
  return Math.min(4, Math.floor(cores / 2));
}
