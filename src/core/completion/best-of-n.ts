// Best-of-n (issue 15, item 4): the greedy completion and n - 1 sampled ones for the same place,
// each through the same pipeline (stop rule, post-processing), and the reward model picks the
// one to show (reranker.ts: the best score, held back below the filter's threshold). Sampled
// candidates reuse the prompt already in llama.cpp's KV cache, so each costs its own tokens only.
import { complete, type Completion, type CompleteOptions, type Generator, type Sampling } from "./complete";
import type { CompletionContext } from "./context";
import { choose, type CompletionReranker } from "./reranker";

/** Warm enough to give other candidates, cool enough that they stay plausible code. */
export const BEST_OF_SAMPLING: Omit<Sampling, "seed"> = { temperature: 0.7, topP: 0.95 };
export const MAX_BEST_OF = 8;

export interface BestOfResult<R> {
  /** What the editor shows ("" when the reranker held every candidate back). */
  text: string;
  /** The greedy completion (candidate 0), with its generator result. */
  greedy: Completion<R>;
  /** Distinct non-empty candidates, greedy first. */
  candidates: string[];
}

export async function completeBestOf<R extends { text: string }>(
  generator: Generator<R>,
  context: CompletionContext & { languageId: string },
  options: CompleteOptions & { n: number; reranker: CompletionReranker },
): Promise<BestOfResult<R>> {
  const greedy = await complete(generator, context, options);
  const candidates = greedy.text ? [greedy.text] : [];
  for (let seed = 1; seed < Math.min(options.n, MAX_BEST_OF); seed++) {
    if (options.signal?.aborted) break;
    const sampled = await complete(generator, context, { ...options, sampling: { ...BEST_OF_SAMPLING, seed } });
    if (sampled.text && !candidates.includes(sampled.text)) candidates.push(sampled.text);
  }
  const text = await choose(options.reranker, context, candidates);
  return { text, greedy, candidates };
}
