// The evaluation stage: every model a run made (base when there is one, after pretraining,
// after SFT, after DPO, the student), each on the same held-out probes and pairs, plus the
// reward model's pair accuracy; written as report.json and report.md.
import type { EvalRowName } from "../../core/protocol";
import { loadRewardModel, RewardScorer } from "../../engine/reward/reward-model";
import { loadEvalSet } from "../data/heldout-data";
import { preferenceAccuracy } from "../../core/completion/metrics";
import { evaluateModel } from "./evaluate-model";
import { compareModels } from "./compare-models";
import { baselineBitsPerByte } from "./held-out-loss";
import { emptyStages, REPORT_VERSION, writeReport, type EvalReport } from "./report";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../core/fs/atomic-write";
import { EVAL_ITEMS_FILE, type EvalItems } from "./eval-items";
import type { ItemScores } from "./types";
import { openEvaluator, type EvalEngine } from "./open-evaluator";
import { EVAL_ROWS } from "../../core/protocol";
import { pairSplit } from "../data/heldout-data";
import { filterFigures, filterOutcome, filterScorer, type FilterOutcome, readHeldoutEvents, scoreShownItems, syntheticShownItems, writeFilterFile } from "./reward-filter";

export interface EvaluateRunInputs {
  /** Model directories by report row; rows left out are reported as null. */
  models: Partial<Record<EvalRowName, string>>;
  rewardModelDir?: string;
  datasetDir: string;
  /** Where report.json and report.md go (the run's folder). */
  outDir: string;
  /** Held-out pair files besides the dataset's (the DPO stage's heldout-preferences.jsonl). */
  pairFiles?: readonly string[];
}

export interface EvaluateRunOptions {
  maxProbes: number;
  maxPairs: number;
  /** Longest line completion, in tokens. */
  maxNewTokens: number;
  /** llama.cpp on a GGUF export (default: the serving path and its latency), or tfjs. */
  engine?: EvalEngine;
  seed: number;
  signal?: AbortSignal;
  onProgress?: (row: EvalRowName | "reward", done: number, total: number) => void;
  /** Recorded in the report as it is (preset, sizes, steps...). */
  config?: Record<string, unknown>;
  /** Start of the run (ms since the epoch), for the wall time; default: the evaluation's own start. */
  startedAt?: number;
  notes?: string[];
}

export async function evaluateRun(inputs: EvaluateRunInputs, options: EvaluateRunOptions): Promise<{ report: EvalReport; files: { json: string; md: string; items: string }; items: EvalItems }> {
  const started = options.startedAt ?? Date.now();
  const set = loadEvalSet(inputs.datasetDir, { maxProbes: options.maxProbes, maxPairs: options.maxPairs, seed: options.seed, pairFiles: inputs.pairFiles });
  const stages = emptyStages();
  const samples: EvalReport["samples"] = {};
  const notes: string[] = [...(options.notes ?? [])];
  const engines = new Set<string>();
  const items: Partial<Record<EvalRowName, ItemScores>> = {};
  const done = new Map<string, EvalRowName>();
  const predictions: Partial<Record<EvalRowName, string[]>> = {};
  for (const [row, dir] of Object.entries(inputs.models) as [EvalRowName, string][]) {
    if (options.signal?.aborted) break;
    // The base of a run made from scratch is its pretrained model: evaluated once, reported twice.
    const same = done.get(dir);
    if (same) {
      stages[row] = stages[same]!;
      samples[row] = samples[same]!;
      items[row] = items[same]!;
      predictions[row] = predictions[same]!;
      continue;
    }
    const opened = await openEvaluator(dir, options.engine ?? "llama", options.maxNewTokens);
    if (opened.fallback) notes.push(opened.fallback);
    engines.add(opened.engine);
    try {
      const result = await evaluateModel(opened.evaluator, set.probes, set.pairs, {
        signal: options.signal,
        onItem: (done, total) => options.onProgress?.(row, done, total),
      });
      stages[row] = result.eval;
      samples[row] = result.samples;
      items[row] = result.items;
      predictions[row] = result.predictions;
      done.set(dir, row);
    } finally {
      await opened.dispose();
    }
  }
  let rewardModel: EvalReport["rewardModel"] = null;
  let filter: FilterOutcome | null = null;
  if (inputs.rewardModelDir && !options.signal?.aborted) {
    const rm = loadRewardModel(inputs.rewardModelDir);
    try {
      const r = await preferenceAccuracy(new RewardScorer(rm, rm.model.config.max_position_embeddings - 1), set.pairs, options.signal);
      // Acceptance AUC and the filter's thresholds: on held-out editor events, and on the
      // predictions of the model that would be served (the last row evaluated: student, else
      // the teacher), as the server will score them.
      const served = [...EVAL_ROWS].reverse().find((row) => predictions[row]);
      const shown = [...readHeldoutEvents(inputs.datasetDir, pairSplit(inputs.datasetDir)), ...(served ? syntheticShownItems(set.probes, predictions[served]!) : [])];
      const timesMs: number[] = [];
      const scored = await scoreShownItems(filterScorer(rm), shown, options.signal, timesMs);
      const figures = filterFigures(shown, scored);
      if (!options.signal?.aborted) writeFilterFile(inputs.rewardModelDir, figures);
      // What the balanced filter does to the same items: share held back, exact match shown vs all, its added latency.
      filter = filterOutcome(shown, scored, figures.thresholds.balanced, "balanced", timesMs);
      rewardModel = { preferenceAccuracy: r.accuracy, items: r.items, auc: figures.auc, aucItems: figures.items, aucBySource: figures.bySource, thresholds: figures.thresholds };
    } finally {
      rm.model.dispose();
      rm.head.dispose();
    }
  }
  const report: EvalReport = {
    version: REPORT_VERSION,
    createdAt: new Date().toISOString(),
    stages,
    rewardModel,
    filter,
    preferencePairs: set.pairSources,
    config: { ...(options.config ?? {}), evalEngine: [...engines].join(", ") },
    comparisons: compareModels(items, inputs.models),
    heldoutLoss: baselineBitsPerByte(inputs.datasetDir, set.probes),
    wallTimeSec: (Date.now() - started) / 1000,
    samples,
    notes: [...notes, ...set.warnings],
  };
  const evalItems: EvalItems = { probes: set.probes, rows: items };
  const itemsFile = join(inputs.outDir, EVAL_ITEMS_FILE);
  writeFileAtomicSync(itemsFile, JSON.stringify(evalItems) + "\n");
  return { report, files: { ...writeReport(inputs.outDir, report), items: itemsFile }, items: evalItems };
}
