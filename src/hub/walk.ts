// A bounded, read-only walk of a folder tree for model candidates. Users point us at their home
// or a big data disk: depth and entry caps keep a listing quick, and real paths already seen
// stop symlink loops (LM Studio and Ollama users link folders around freely).
import { readdirSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";

export interface Candidate {
  path: string;
  kind: "gguf" | "hf";
}

export interface WalkLimits {
  /** Folder levels below the root to enter. */
  maxDepth: number;
  /** Directory entries to look at in all, so a huge tree costs a bounded time. */
  maxEntries: number;
}

export const DEFAULT_LIMITS: WalkLimits = { maxDepth: 4, maxEntries: 20_000 };

/** Split GGUFs (`name-00002-of-00003.gguf`): only the first shard is the model llama.cpp opens. */
const SHARD = /-(\d{5})-of-(\d{5})\.gguf$/i;

export function isModelFileName(name: string): boolean {
  if (!/\.gguf$/i.test(name)) return false; // also drops .gguf.part, .gguf.tmp and friends
  const shard = SHARD.exec(name);
  return shard === null || Number(shard[1]) === 1;
}

function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path); // follows links, so a linked file or folder counts as what it points to
  } catch {
    return null;
  }
}

/** GGUF files and folders holding config.json under `root` (or `root` itself when it is one). */
export function walkForModels(root: string, limits: WalkLimits = DEFAULT_LIMITS): Candidate[] {
  const out: Candidate[] = [];
  const top = statOrNull(root);
  if (!top) return out;
  if (top.isFile()) return isModelFileName(root) ? [{ path: root, kind: "gguf" }] : out;
  const seen = new Set<string>();
  let budget = limits.maxEntries;
  const visit = (dir: string, depth: number): void => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return; // unreadable folder: skip, never fail the listing
    }
    // config.json alone is any tool's settings; with weights beside it, it is a model folder.
    if (names.includes("config.json") && names.some((n) => /\.(safetensors|bin)$|^model\.safetensors\.index\.json$/.test(n))) out.push({ path: dir, kind: "hf" });
    for (const name of names) {
      if (budget-- <= 0) return;
      if (name.startsWith(".")) continue; // .git, .cache of tools: not where models are kept
      const path = join(dir, name);
      if (isModelFileName(name)) {
        if (statOrNull(path)?.isFile()) out.push({ path, kind: "gguf" });
        continue;
      }
      if (depth < limits.maxDepth && statOrNull(path)?.isDirectory()) visit(path, depth + 1);
    }
  };
  visit(root, 0);
  return out;
}
