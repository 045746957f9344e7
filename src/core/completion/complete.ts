// A completion as a pipeline of named steps, the same wherever a model runs (llama.cpp in the
// completion server and evaluation, tfjs in evaluation before a GGUF exists): generate with the
// mode's stop rule, so no token is spent past the end the editor would cut at, then the
// post-processing steps. What a report measures is what the editor shows.
import type { CompletionBudget, CompletionContext } from "./context";
import type { RepoContext } from "./repo-prompt";
import { placeLines } from "./place";
import { DEFAULT_STEPS, postprocess, type PostprocessStep } from "./postprocess";
import { reachedEnd } from "./stop-rules";

export interface GenerateRequest {
  prefix: string;
  suffix: string;
  maxTokens: number;
  /** Most prefix and suffix tokens the prompt keeps; default: as many as the context holds. */
  budget?: CompletionBudget;
  /** The repository-level header (repo-prompt.ts); without it, a plain FIM prompt. */
  repo?: RepoContext;
  signal?: AbortSignal;
  /** Called with the decoded text so far after each token; true ends generation there. */
  shouldStop?: (textSoFar: string) => boolean;
  /** Sample instead of taking the likeliest token (best-of-n's other candidates); absent: greedy. */
  sampling?: Sampling;
}

export interface Sampling {
  temperature: number;
  /** Nucleus: sample among the likeliest tokens whose probabilities sum to this. */
  topP: number;
  /** The same seed and prompt give the same text. */
  seed: number;
}

/** Whatever generates fill-in-the-middle text (greedy unless asked to sample): llama.cpp's engine, the tfjs model. */
export interface Generator<R extends { text: string }> {
  generate(request: GenerateRequest): Promise<R>;
}

export interface CompleteOptions {
  maxTokens: number;
  budget?: CompletionBudget;
  steps?: readonly PostprocessStep[];
  signal?: AbortSignal;
  sampling?: Sampling;
}

export interface Completion<R> {
  /** What the editor shows ("" for nothing). */
  text: string;
  /** The post-processing steps that changed the text, in order. */
  changedBy: string[];
  /** The generator's own result (raw text, tokens, timings). */
  result: R;
}

export async function complete<R extends { text: string }>(generator: Generator<R>, context: CompletionContext, options: CompleteOptions): Promise<Completion<R>> {
  const lines = placeLines(context);
  const result = await generator.generate({
    prefix: context.prefix,
    suffix: context.suffix,
    maxTokens: options.maxTokens,
    ...(options.budget ? { budget: options.budget } : {}),
    ...(context.repo ? { repo: context.repo } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.sampling ? { sampling: options.sampling } : {}),
    shouldStop: (text) => reachedEnd(text, lines),
  });
  const processed = postprocess(result.text, context, options.steps ?? DEFAULT_STEPS);
  return { text: processed.text, changedBy: processed.changedBy, result };
}
