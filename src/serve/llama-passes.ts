// The frozen-model passes of post-training on llama.cpp (DESIGN.md: DPO's reference log-probs
// and the teacher's soft targets run on GGUF): the model folder is exported to an f32 GGUF and
// scored exactly (f32 KV cache, no flash attention: within about 1e-5 of tfjs). Faster than a
// tfjs forward pass, and the frozen model's weights live in llama.cpp's memory, not the wasm
// heap the trainee needs. Returns null where llama.cpp cannot do it (no prebuilt binary, or a
// context under 256 tokens, which it cannot allocate exactly): callers then use tfjs.
import { MAX_SERVING_CONTEXT, modelContext, modelGguf, type ModelGguf } from "./model-gguf";
import { topKLogProbs } from "../core/math/top-k";
import { LlamaScorer } from "./";
import type { PromptCompletionRow } from "../core/examples/encode-examples";
import { LLAMA_MIN_CONTEXT } from "./llama-runtime";
import type { CompletionLogProb } from "../core/completion/completer";

export interface LlamaPass<T> {
  result: T;
}

/** Runs `fn` with an exact llama.cpp scorer of the model folder; null when llama.cpp cannot. */
export async function withLlamaScorer<T>(modelDir: string, fn: (scorer: LlamaScorer) => Promise<T>, log?: (m: string) => void): Promise<LlamaPass<T> | null> {
  const context = Math.min(modelContext(modelDir), MAX_SERVING_CONTEXT);
  if (context < LLAMA_MIN_CONTEXT) {
    log?.(`context of ${context} tokens is under ${LLAMA_MIN_CONTEXT}: frozen-model pass with tfjs`);
    return null;
  }
  let m: ModelGguf | undefined;
  let scorer: LlamaScorer;
  try {
    m = modelGguf(modelDir, "f32");
    scorer = await LlamaScorer.load({ modelPath: m.gguf, contextSize: context, exact: true, ...(m.lora ? { lora: { path: m.lora } } : {}) });
  } catch (err) {
    m?.cleanup();
    log?.(`llama.cpp could not load ${modelDir} (${err instanceof Error ? err.message.split("\n")[0] : String(err)}): frozen-model pass with tfjs`);
    return null;
  }
  try {
    return { result: await fn(scorer) };
  } finally {
    await scorer.dispose();
    m.cleanup();
  }
}

/** Sum and count of log p over each row's completion tokens. */
export async function llamaCompletionLogProbs(scorer: LlamaScorer, rows: readonly PromptCompletionRow[], signal?: AbortSignal): Promise<CompletionLogProb[]> {
  const out: CompletionLogProb[] = [];
  for (const row of rows) {
    if (signal?.aborted) throw new Error("cancelled");
    const lp = await scorer.targetLogProbs(row.ids, Math.max(1, row.completionStart));
    let sum = 0;
    // lp[i - 1] = log p(ids[i] | ids[..i])
    for (let i = Math.max(1, row.completionStart); i < row.ids.length; i++) sum += lp[i - 1]!;
    out.push({ sum, tokens: row.ids.length - row.completionStart });
  }
  return out;
}

/** The teacher-targets record of one row: top-k at every position whose next token is a target. */
export async function llamaTopK(scorer: LlamaScorer, row: PromptCompletionRow, k: number): Promise<{ mask: Uint8Array; ids: Int32Array; logProbs: Float32Array }> {
  const n = row.ids.length;
  const mask = new Uint8Array(n);
  const ids = new Int32Array(n * k).fill(-1);
  const logProbs = new Float32Array(n * k).fill(-Infinity);
  await scorer.forEachLogProbs(
    row.ids.slice(0, -1),
    (t, rowLogProbs) => {
      mask[t] = 1;
      const top = topKLogProbs(rowLogProbs, k);
      ids.set(top.ids, t * k);
      logProbs.set(top.logProbs, t * k);
    },
    Math.max(0, row.completionStart - 1),
  );
  return { mask, ids, logProbs };
}
