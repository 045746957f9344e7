// Evaluates one model on the held-out set, asked as the editor asks (core/completion): exact
// match, edit similarity and accepted characters per probe, with intervals and per-mode
// figures, latency, and preference accuracy (does the model give the chosen side the higher
// log-prob).
import { acceptedChars, editSimilarity, exactMatch, median, preferenceAccuracy } from "../../core/completion/metrics";
import { bootstrapInterval } from "../../core/math/resampling";
import type { CompletionScorer, LineCompleter } from "../../core/completion/completer";
import type { PreferencePair } from "../../core/feedback/feedback-types";
import type { HeldoutProbe } from "../../core/store/dataset-files";
import type { EvalSample, ItemScores, StageEval } from "./types";
import { probeContext } from "../../core/completion/context";
import { modelLoss } from "./held-out-loss";

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
  /** Per-probe scores, in the probes' order (for paired comparisons between models). */
  items: ItemScores;
  /** What the model wrote at each probe, in the probes' order (the reward model's AUC is measured on them). */
  predictions: string[];
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
  const items: ItemScores = { exactMatch: [], editSimilarity: [], acceptedChars: [] };
  const modes: ("line" | "block")[] = [];
  const latencies: number[] = [];
  const samples: EvalSample[] = [];
  const predictions: string[] = [];
  const wantSamples = options.samples ?? 5;
  // Evenly spread samples, not the first few (one file's worth).
  const stride = Math.max(1, Math.floor(probes.length / Math.max(wantSamples, 1)));
  for (const probe of probes) {
    if (options.signal?.aborted) break;
    const out = await model.complete(probeContext(probe), options.signal);
    predictions.push(out.text);
    items.exactMatch.push(exactMatch(out.text, probe.target) ? 1 : 0);
    items.editSimilarity.push(editSimilarity(out.text, probe.target));
    items.acceptedChars.push(acceptedChars(out.text, probe.target));
    modes.push(probe.mode ?? "line");
    latencies.push(out.latencyMs);
    if (samples.length < wantSamples && (modes.length - 1) % stride === 0) {
      samples.push({ path: probe.path, line: probe.line, prefixTail: probe.prefix.slice(-120), truth: probe.target, prediction: out.text });
    }
    tick();
  }
  const bySource: Record<string, { accuracy: number; items: number }> = {};
  let pref: { accuracy: number | null; items: number } = { accuracy: null, items: 0 };
  if (model.score) {
    const groups = new Map<string, PreferencePair[]>();
    for (const pair of pairs) {
      const key = pairSource(pair);
      const group = groups.get(key);
      if (group) group.push(pair);
      else groups.set(key, [pair]);
    }
    let right = 0;
    let counted = 0;
    for (const [key, group] of groups) {
      const r = await preferenceAccuracy(model as CompletionScorer, group, options.signal, tick);
      if (r.accuracy === null) continue;
      bySource[key] = { accuracy: r.accuracy, items: r.items };
      right += r.accuracy * r.items;
      counted += r.items;
    }
    pref = { accuracy: counted ? right / counted : null, items: counted };
  }
  const summary = summarise(items, modes, latencies, pref);
  const loss = model.score ? await modelLoss(model as CompletionScorer, probes, options.signal) : null;
  if (loss) items.bitsPerByte = loss.perProbe;
  return { eval: { ...summary, bitsPerByte: loss?.bitsPerByte ?? null, ...(Object.keys(bySource).length ? { preferenceBySource: bySource } : {}) }, samples, items, predictions };
}

/** Where a pair comes from, for the report: the editor, or what wrote a synthetic pair's rejected side. */
export function pairSource(pair: PreferencePair): string {
  return pair.source === "editor" ? "editor" : (pair.rejectedBy ?? "synthetic");
}

const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Means, their intervals and the per-mode figures of a model's item scores. */
export function summarise(items: ItemScores, modes: readonly ("line" | "block")[], latencies: readonly number[], pref: { accuracy: number | null; items: number }): StageEval {
  const byMode: StageEval["modes"] = {};
  for (const mode of ["line", "block"] as const) {
    const at = modes.flatMap((m, i) => (m === mode ? [i] : []));
    if (!at.length) continue;
    const pick = (xs: number[]) => mean(at.map((i) => xs[i]!))!;
    byMode[mode] = { exactMatch: pick(items.exactMatch), editSimilarity: pick(items.editSimilarity), acceptedChars: pick(items.acceptedChars), items: at.length };
  }
  return {
    exactMatch: mean(items.exactMatch),
    editSimilarity: mean(items.editSimilarity),
    acceptedChars: mean(items.acceptedChars),
    exactMatchCi: bootstrapInterval(items.exactMatch),
    editSimilarityCi: bootstrapInterval(items.editSimilarity),
    acceptedCharsCi: bootstrapInterval(items.acceptedChars),
    modes: byMode,
    preferenceAccuracy: pref.accuracy,
    latencyMsP50: median(latencies),
    heldoutItems: items.exactMatch.length,
    preferenceItems: pref.items,
  };
}
