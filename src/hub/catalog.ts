// The base models RepoTune offers to download when the user has none: Qwen2.5-Coder base
// models as Q8_0 GGUF from ggml-org (the files llama.vscode serves), which llama.cpp serves
// and our reader dequantises for training. Sizes are approximate, for "about N MB" prompts and
// the free-space check before the hub tells the exact size.
import { join } from "node:path";

export interface CatalogModel {
  /** What the user types: "qwen2.5-coder-0.5b". */
  name: string;
  title: string;
  /** Hugging Face repo id. */
  repo: string;
  /** The file in that repo. */
  file: string;
  /** Branch or commit to resolve. */
  revision: string;
  approxBytes: number;
  parameters: number;
  contextLength: number;
}

export const CATALOG: readonly CatalogModel[] = [
  {
    name: "qwen2.5-coder-0.5b",
    title: "Qwen2.5-Coder 0.5B base (Q8_0)",
    repo: "ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF",
    file: "qwen2.5-coder-0.5b-q8_0.gguf",
    revision: "main",
    approxBytes: 531_000_000,
    parameters: 494_000_000,
    contextLength: 32768,
  },
  {
    name: "qwen2.5-coder-1.5b",
    title: "Qwen2.5-Coder 1.5B base (Q8_0)",
    repo: "ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF",
    file: "qwen2.5-coder-1.5b-q8_0.gguf",
    revision: "main",
    approxBytes: 1_650_000_000,
    parameters: 1_540_000_000,
    contextLength: 32768,
  },
  {
    name: "qwen2.5-coder-3b",
    title: "Qwen2.5-Coder 3B base (Q8_0)",
    repo: "ggml-org/Qwen2.5-Coder-3B-Q8_0-GGUF",
    file: "qwen2.5-coder-3b-q8_0.gguf",
    revision: "main",
    approxBytes: 3_300_000_000,
    parameters: 3_090_000_000,
    contextLength: 32768,
  },
];

/** The catalog entry called `name` (any case, surrounding spaces ignored), or undefined. */
export function catalogModel(name: string): CatalogModel | undefined {
  const key = name.trim().toLowerCase();
  return CATALOG.find((m) => m.name === key);
}

/**
 * Where a downloaded catalog file lives: `folder/{org}--{repo}/{file}`. Stable across versions
 * (a later RepoTune finds what an earlier one downloaded), one folder per repo so two repos'
 * files of the same name never collide, and no "/" of the repo id becomes a path separator.
 */
export function catalogPath(model: Pick<CatalogModel, "repo" | "file">, folder: string): string {
  return join(folder, model.repo.split("/").join("--"), model.file);
}

/** "531 MB", "1.65 GB": sizes as a user reads them (decimal units, as the hub shows them). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(bytes >= 1e10 ? 1 : 2)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${bytes} bytes`;
}
