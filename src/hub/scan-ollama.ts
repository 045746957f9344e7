// Ollama's store: manifests/{host}/{namespace}/{name}/{tag} are OCI-style JSON manifests; the
// layer whose mediaType is application/vnd.ollama.image.model names the GGUF, stored as
// blobs/sha256-{hex} (digest "sha256:{hex}"). Names as `ollama list` shows them.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { NamedCandidate } from "./scan-hf-cache";

const MODEL_LAYER = "application/vnd.ollama.image.model";
const DEFAULT_HOST = "registry.ollama.ai";

function dirs(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith(".")).sort();
  } catch {
    return [];
  }
}

function displayName(host: string, namespace: string, name: string, tag: string): string {
  if (host !== DEFAULT_HOST) return `${host}/${namespace}/${name}:${tag}`;
  return namespace === "library" ? `${name}:${tag}` : `${namespace}/${name}:${tag}`;
}

function modelBlob(manifestPath: string, blobs: string): string | undefined {
  try {
    if (statSync(manifestPath).size > 1_000_000) return undefined; // not a manifest
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { layers?: { mediaType?: unknown; digest?: unknown }[] };
    const layer = manifest.layers?.find((l) => l.mediaType === MODEL_LAYER);
    const m = typeof layer?.digest === "string" ? /^sha256:([0-9a-f]{64})$/.exec(layer.digest) : null;
    return m ? join(blobs, `sha256-${m[1]}`) : undefined;
  } catch {
    return undefined; // unreadable or not JSON: not something Ollama would list either
  }
}

export function scanOllama(root: string): NamedCandidate[] {
  const out: NamedCandidate[] = [];
  const manifests = join(root, "manifests");
  const blobs = join(root, "blobs");
  // Ollama's own registry and its library namespace first: when tags share a blob, the name
  // kept (find-models de-duplicates by real path) is the one a user pulled by.
  const first = (preferred: string) => (a: string, b: string): number => Number(b === preferred) - Number(a === preferred) || a.localeCompare(b);
  for (const host of dirs(manifests).sort(first(DEFAULT_HOST))) {
    for (const namespace of dirs(join(manifests, host)).sort(first("library"))) {
      for (const name of dirs(join(manifests, host, namespace))) {
        for (const tag of dirs(join(manifests, host, namespace, name))) {
          const blob = modelBlob(join(manifests, host, namespace, name, tag), blobs);
          if (blob) out.push({ path: blob, kind: "gguf", name: displayName(host, namespace, name, tag) });
        }
      }
    }
  }
  return out;
}
