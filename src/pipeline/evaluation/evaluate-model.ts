// Evaluates one model on the held-out set: line completion (exact match, edit similarity,
// latency) and preference accuracy (does the model give the chosen side the higher log-prob).
import { median, preferenceAccuracy, scoreCompletions } from "../../core/completion/metrics";
import type { CompletionScorer, LineCompleter } from "../../core/completion/completer";
import type { PreferencePair } from "../../core/feedback/feedback-types";
import type { HeldoutProbe } from "../../core/store/dataset-files";
import type { EvalSample, StageEval } from "./types";
import { lineProbeContext } from "../../core/completion/context";

export interface EvaluateOptions {
  signal?: AbortSignal;
  /** Called after each item, for a progress bar. */
  onItem?: (done: number, total: number) => void;
  /** Samples to keep for the report and the dashboard (default 5). */
  samples?: number;
}

export interface ModelEvaluation {
  eval: StageEval;
  samples: EvalSample[];
}

export async function evaluateModel(
  model: LineCompleter & Partial<CompletionScorer>,
  probes: readonly HeldoutProbe[],
  pairs: readonly PreferencePair[],
  options: EvaluateOptions = {},
): Promise<ModelEvaluation> {
  const total = probes.length + (model.score ? pairs.length : 0);
  let done = 0;
  const tick = () => options.onItem?.(++done, total);
  const results: { prediction: string; truth: string }[] = [];
  const latencies: number[] = [];
  const samples: EvalSample[] = [];
  const wantSamples = options.samples ?? 5;
  // Evenly spread samples, not the first few (one file's worth).
  const stride = Math.max(1, Math.floor(probes.length / Math.max(wantSamples, 1)));
  for (const probe of probes) {
    if (options.signal?.aborted) break;
    const out = await model.complete(lineProbeContext(probe), options.signal);
    results.push({ prediction: out.text, truth: probe.target });
    latencies.push(out.latencyMs);
    if (samples.length < wantSamples && (results.length - 1) % stride === 0) {
      samples.push({ path: probe.path, line: probe.line, prefixTail: probe.prefix.slice(-120), truth: probe.target, prediction: out.text });
    }
    tick();
  }
  const score = scoreCompletions(results);
  const pref = model.score ? await preferenceAccuracy(model as CompletionScorer, pairs, options.signal, tick) : { accuracy: null, items: 0 };
  return {
    eval: {
      exactMatch: score.items ? score.exactMatch : null,
      editSimilarity: score.items ? score.editSimilarity : null,
      preferenceAccuracy: pref.accuracy,
      latencyMsP50: median(latencies),
      heldoutItems: score.items,
      preferenceItems: pref.items,
    },
    samples,
  };
}
