// Loads node-llama-cpp's prebuilt llama.cpp binary. Nothing is ever downloaded or compiled
// on the user's machine (build: "never"): if no prebuilt binary fits, we say so.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Llama, LlamaLogLevel } from "node-llama-cpp";

/** node-llama-cpp is pinned: newer releases broke `npm ci` here (shared/notes/engine-facts.md). */
export const NODE_LLAMA_CPP_VERSION = "3.21.1";

/**
 * llama.cpp allocates contexts in multiples of 256 tokens: a model trained on fewer positions
 * (the micro preset, test models) would be prompted past them, and llama.cpp prints a warning
 * on stdout that corrupts --json output. Those models are evaluated with tfjs.
 */
export const LLAMA_MIN_CONTEXT = 256;

export interface LlamaProbe {
  available: boolean;
  version: string;
  /** "cpu", "cuda", "vulkan" or "metal" when available, else why not. */
  detail: string;
  hint?: string;
}

export async function loadLlama(options: { gpu: boolean }): Promise<Llama> {
  const { getLlama } = await import("node-llama-cpp");
  // A plain getLlama() may pick a Vulkan build on a machine without a Vulkan device;
  // "auto" lets node-llama-cpp test each prebuilt GPU build and fall back to the CPU one.
  // Warnings go nowhere: llama.cpp prints them raw to stdout, which would corrupt --json output.
  return getLlama({ gpu: options.gpu ? "auto" : false, build: "never", progressLogs: false, skipDownload: true, logLevel: "error" as LlamaLogLevel });
}

/** Its package.json is not in the package's exports, so it is found from the main entry. */
function installedVersion(): string {
  try {
    let dir = dirname(require.resolve("node-llama-cpp"));
    for (let i = 0; i < 4; i++, dir = dirname(dir)) {
      const file = join(dir, "package.json");
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "node-llama-cpp" && pkg.version) return pkg.version;
    }
  } catch {
    // not installed: reported by the caller
  }
  return "not installed";
}

export async function probeLlama(): Promise<LlamaProbe> {
  const version = installedVersion();
  try {
    const llama = await loadLlama({ gpu: false });
    const detail = `prebuilt CPU binary loads (${llama.cpuMathCores} math cores)`;
    await llama.dispose();
    return {
      available: true,
      version,
      detail,
      hint: version === NODE_LLAMA_CPP_VERSION ? undefined : `expected node-llama-cpp ${NODE_LLAMA_CPP_VERSION}`,
    };
  } catch (err) {
    return {
      available: false,
      version,
      detail: err instanceof Error ? err.message.split("\n")[0] ?? err.message : String(err),
      hint: `Reinstall RepoTune; completions need node-llama-cpp ${NODE_LLAMA_CPP_VERSION} with its prebuilt binary for ${process.platform}-${process.arch}.`,
    };
  }
}

export interface LoraFile {
  path: string;
  /** Multiplies the adapter's alpha / r; default 1. */
  scale?: number;
}

/** createContext's option for an adapter, or nothing. */
export function loraContextOption(lora: LoraFile | undefined): { lora?: { adapters: { filePath: string; scale: number }[] } } {
  return lora ? { lora: { adapters: [{ filePath: lora.path, scale: lora.scale ?? 1 }] } } : {};
}
