// `repotune bench serve --shape qwen2.5-coder-0.5b [--json]`: can a base of this size serve
// inline completions on this machine's CPU, or must it be distilled? A GGUF of exactly that
// shape (random Q8_0 weights, the real vocabulary: bench/shape-gguf.ts) in the completion
// server's engine, on a line completion with 1,500 characters before the cursor and 300 after
// (the editor's budget): time to the first token with an empty KV cache (a new file), again
// after one more character is typed (the cache reused up to it), and per generated token.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LlamaEngine } from "../src/serve/llama-engine";
import { DEFAULT_COMPLETION_SETTINGS } from "../src/core/completion";
import { defaultThreads } from "../src/serve/threads";
import { installedPackage, percentile, sourceFiles, PREFIX_CHARS, SUFFIX_CHARS } from "./serve";
import { shapeGguf } from "./shape-gguf";

export interface ShapeServeResult {
  shape: string;
  threads: number;
  firstTokenMsCold: number;
  firstTokenMsWarm: number;
  perTokenMs: number;
  /** How many places were measured, and the prompt's length in tokens (median). */
  places: number;
  promptTokens: number;
  /** Prompt tokens found in the KV cache on the warm request (median). */
  reusedTokens: number;
}

/** Places in real code (mocha's lib/): the middle of a line with enough text on both sides. */
function places(count: number): { prefix: string; suffix: string; next: string }[] {
  const out: { prefix: string; suffix: string; next: string }[] = [];
  for (const file of sourceFiles(join(installedPackage("mocha").dir, "lib"))) {
    const text = readFileSync(file, "utf8");
    if (text.length < PREFIX_CHARS + SUFFIX_CHARS + 200) continue;
    // Mid-line, a third into the file: one place per file, so each new place finds a cold cache.
    let cut = Math.max(PREFIX_CHARS, Math.floor(text.length / 3));
    while (cut < text.length - SUFFIX_CHARS && (text[cut] === "\n" || text[cut - 1] === "\n")) cut++;
    out.push({ prefix: text.slice(cut - PREFIX_CHARS, cut), suffix: text.slice(cut, cut + SUFFIX_CHARS), next: text[cut]! });
    if (out.length === count) break;
  }
  if (out.length < count) throw new Error(`only ${out.length} places in mocha's lib/`);
  return out;
}

export async function runShapeServeBench(o: { shape: string; cacheDir: string; threads?: number; places?: number; tokens?: number; log?: (m: string) => void }): Promise<ShapeServeResult> {
  const threads = o.threads ?? defaultThreads();
  const gguf = shapeGguf(o.cacheDir, o.shape, o.log);
  const engine = await LlamaEngine.load({ modelPath: gguf, threads, gpu: false });
  const budget = DEFAULT_COMPLETION_SETTINGS.budget;
  const never = () => false;
  const cold: number[] = [], warm: number[] = [], perToken: number[] = [], prompt: number[] = [], reused: number[] = [];
  try {
    // One request first: llama.cpp's first evaluation pays for allocating its buffers.
    const all = places((o.places ?? 5) + 1);
    await engine.generate({ prefix: all[0]!.prefix, suffix: all[0]!.suffix, maxTokens: 2, budget });
    for (const p of all.slice(1)) {
      const a = await engine.generate({ prefix: p.prefix, suffix: p.suffix, maxTokens: o.tokens ?? 24, budget, shouldStop: never });
      cold.push(a.firstTokenMs);
      prompt.push(a.promptTokens);
      if (a.tokens > 1) perToken.push((a.totalMs - a.firstTokenMs) / (a.tokens - 1));
      const b = await engine.generate({ prefix: p.prefix + p.next, suffix: p.suffix.slice(1), maxTokens: 1, budget });
      warm.push(b.firstTokenMs);
      reused.push(b.reusedTokens);
      o.log?.(`cold ${a.firstTokenMs.toFixed(0)} ms (${a.promptTokens} prompt tokens), warm ${b.firstTokenMs.toFixed(0)} ms (${b.reusedTokens} reused), ${perToken.at(-1)?.toFixed(1)} ms/token`);
    }
  } finally {
    await engine.dispose();
  }
  const med = (v: number[]) => Math.round(percentile(v, 50) * 10) / 10;
  return { shape: o.shape, threads, firstTokenMsCold: med(cold), firstTokenMsWarm: med(warm), perTokenMs: med(perToken), places: cold.length, promptTokens: med(prompt), reusedTokens: med(reused) };
}

export function formatShapeServeBench(r: ShapeServeResult): string {
  return [
    `${r.shape} (random Q8_0 weights, real vocabulary), ${r.threads} thread(s), ${r.places} places of ${PREFIX_CHARS}/${SUFFIX_CHARS} characters (~${r.promptTokens} prompt tokens):`,
    `  first token, empty KV cache:          ${r.firstTokenMsCold} ms`,
    `  first token, one more character typed: ${r.firstTokenMsWarm} ms (${r.reusedTokens} prompt tokens reused)`,
    `  per generated token:                   ${r.perTokenMs} ms`,
  ].join("\n");
}
