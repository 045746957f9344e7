// Every base model already on this machine, from every tool's folder, described and ranked.
// Read-only by construction: only stat, readdir, realpath and header reads; nothing is created,
// touched or locked, so listing never disturbs another tool's cache.
import { realpathSync, statSync } from "node:fs";
import { describeModel, type FoundModel } from "./describe-model";
import { modelLocations, type LocationOptions, type ModelLocation } from "./model-locations";
import { scanHfCache } from "./scan-hf-cache";
import { scanOllama } from "./scan-ollama";
import { walkForModels, type Candidate } from "./walk";

function candidatesIn(location: ModelLocation): (Candidate & { name?: string })[] {
  switch (location.kind) {
    case "huggingface": return scanHfCache(location.root);
    case "ollama": return scanOllama(location.root);
    case "path": {
      // A file the user named is described whatever its extension (an Ollama blob, a renamed download).
      let isFile = false;
      try {
        isFile = statSync(location.root).isFile();
      } catch { /* missing: nothing to list */ }
      return isFile ? [{ path: location.root, kind: "gguf" }] : walkForModels(location.root);
    }
    default: return walkForModels(location.root);
  }
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Usable models first (trainable and servable, then servable only), then by name. */
export function compareModels(a: FoundModel, b: FoundModel): number {
  const rank = (m: FoundModel): number => (m.canTrain ? 2 : 0) + (m.canServe ? 1 : 0);
  return rank(b) - rank(a) || a.name.localeCompare(b.name) || a.path.localeCompare(b.path);
}

/**
 * Scans every location (missing ones are skipped) and describes what it finds. A file reached
 * twice (a user path inside the HF cache, a link between tools' folders) is listed once, under
 * the first location that found it: the tool's own name beats a bare path.
 */
export function findModels(opts: LocationOptions = {}): FoundModel[] {
  const seen = new Set<string>();
  const found: FoundModel[] = [];
  for (const location of modelLocations(opts)) {
    for (const c of candidatesIn(location)) {
      const real = realPath(c.path);
      if (seen.has(real)) continue;
      seen.add(real);
      const model = describeModel(c.path, location.kind, location.root, c.name);
      if (model) found.push(model);
    }
  }
  return found.sort(compareModels);
}
