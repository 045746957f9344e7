// Which checkpoint folder a path means: the folder itself, the latest of a training root, or
// the one checkpoint a run or stage folder holds. What `repotune export` and `import` take.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

export const isCheckpoint = (dir: string): boolean =>
  existsSync(join(dir, "config.json")) &&
  existsSync(join(dir, "tokenizer.json")) &&
  (existsSync(join(dir, "model.safetensors")) || existsSync(join(dir, "model.safetensors.index.json")));

/** The checkpoint a training root's latest.json names (src/engine/checkpoint writes it). */
function latestOf(root: string): string | undefined {
  try {
    const marker = JSON.parse(readFileSync(join(root, "latest.json"), "utf8")) as { format?: string; checkpoint?: unknown };
    if (marker.format !== "repotune-checkpoint-marker" || typeof marker.checkpoint !== "string" || /[\\/]|^\./.test(marker.checkpoint)) return undefined;
    const dir = join(root, marker.checkpoint);
    return isCheckpoint(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * DIR itself when it is a checkpoint; the latest one when DIR is a training root (latest.json);
 * else the one checkpoint found up to two levels below it (a run or stage folder holding one).
 * Several found is an error that lists them.
 */
export function findCheckpoint(dir: string): string {
  const root = resolve(dir);
  if (!existsSync(root)) throw new Error(`--run ${root} does not exist`);
  if (isCheckpoint(root)) return root;
  const latest = latestOf(root);
  if (latest) return latest;
  const found: string[] = [];
  const walk = (d: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return; // unreadable folders hold nothing we can export
    }
    for (const name of names) {
      const sub = join(d, name);
      if (!statSync(sub, { throwIfNoEntry: false })?.isDirectory()) continue;
      const picked = isCheckpoint(sub) ? sub : latestOf(sub);
      if (picked) found.push(picked);
      else if (depth > 1) walk(sub, depth - 1);
    }
  };
  walk(root, 2);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new Error(`${root} is not a checkpoint directory (config.json, model.safetensors, tokenizer.json) and holds none`);
  }
  throw new Error(`${root} holds ${found.length} checkpoints; pass one of them to --run: ${found.map((f) => relative(root, f)).join(", ")}`);
}

