// `node --import tsx bench/filter.ts [--json] [--cache DIR] [--row student|dpo|sft]`: the serving filter (issue 15,
// item 3) measured on held-out places. It trains (or reuses) a micro post-training run on the
// fixture repository (test/integration/posttrain/tiny-run.ts with fewer steps: about a minute
// on 2 cores), whose evaluation writes the reward model's filter.json, then on the held-out
// probes: the student's completion (tfjs, greedy, timed: the unfiltered reference), the
// reward model's score on the server's short window (timed, the same scorer the completion
// server runs in-process), and for balanced and strict: exact match of all suggestions vs of
// those the filter shows, and the share held back. Figures, never pass/fail.
//
// The thresholds were chosen by evaluation on these same held-out items (report.json
// rewardModel.thresholds), so the exact-match gain is in-sample for the threshold choice.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tinyRun, TINY_STEPS } from "../test/integration/posttrain/tiny-run";
import { loadEvalSet } from "../src/pipeline/data/heldout-data";
import { openEvaluator } from "../src/pipeline/evaluation/open-evaluator";
import { probeContext } from "../src/core/completion/context";
import { FILTER_FILE, filterFigures, filterOutcome, filterScorer, scoreShownItems, syntheticShownItems, type FilterFile, type FilterOutcome } from "../src/pipeline/evaluation/reward-filter";
import { loadRewardModel } from "../src/engine/reward/reward-model";
import { resolveBackend } from "../src/pipeline/run/resolve-backend";

/** A micro run: the tiny run's stages with a fraction of its steps. */
export const MICRO_STEPS = { ...TINY_STEPS, pretrain: 40, sft: 240, dpo: 10, reward: 20, distill: 30, engine: "tfjs" as const };
const SEED = 7;

export interface FilterBenchResult {
  places: number;
  shown: number;
  thresholds: FilterFile["thresholds"];
  auc: number | null;
  modes: Record<"balanced" | "strict", FilterOutcome>;
  completionMs: { p50: number; p95: number };
  filterMs: { p50: number; p95: number };
  /** Filter p50 / completion p50, and the same at p95. */
  ratio: { p50: number; p95: number };
  trainSec: number | null;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * `row`: which model of the run completes (default the student, what is served). Thresholds come
 * from filter.json when it has them for that model (the student's); otherwise (another row, or
 * filter.json without thresholds) they are chosen here from the bench's own scored items, in-sample.
 */
export async function runFilterBench(cacheDir: string, log: (l: string) => void, row: "student" | "dpo" | "sft" = "student"): Promise<FilterBenchResult & { row: string; thresholdsFrom: string }> {
  await resolveBackend("auto");
  const root = join(cacheDir, `micro-${createHash("sha256").update(JSON.stringify([MICRO_STEPS, SEED])).digest("hex").slice(0, 10)}`);
  const rewardDir = join(root, "reward", "model");
  let trainSec: number | null = null;
  const filterFile = () => [join(root, "reward", FILTER_FILE), join(rewardDir, FILTER_FILE)].find((f) => existsSync(f));
  if (!filterFile() || !existsSync(join(root, "report.json"))) {
    mkdirSync(root, { recursive: true });
    log(`training a micro run in ${root}`);
    const t = Date.now();
    const run = await tinyRun(root, SEED, log, MICRO_STEPS);
    trainSec = (Date.now() - t) / 1000;
    if (!run.reward?.modelDir || !run.distill?.modelDir) throw new Error("the micro run made no reward model or student");
  } else log(`reusing the micro run in ${root}`);
  const ff = filterFile();
  if (!ff) throw new Error(`no ${FILTER_FILE} under ${root}/reward`);
  const rmDir = resolve(ff, "..");
  const filter = JSON.parse(readFileSync(ff, "utf8")) as FilterFile;
  const stageDir = row === "student" ? "distill" : row;
  const studentDir = existsSync(join(root, stageDir, "model")) ? join(root, stageDir, "model") : join(root, stageDir);
  const set = loadEvalSet(join(root, "dataset"), { maxProbes: 80, maxPairs: 0, seed: SEED, pairFiles: [] });
  const opened = await openEvaluator(studentDir, "tfjs", 16);
  const predictions: string[] = [];
  const completionMs: number[] = [];
  try {
    for (const p of set.probes) {
      const t = performance.now();
      const out = await opened.evaluator.complete(probeContext(p));
      completionMs.push(performance.now() - t);
      predictions.push(out.text);
    }
  } finally {
    await opened.dispose();
  }
  const items = syntheticShownItems(set.probes, predictions);
  const rm = loadRewardModel(rmDir);
  const filterMs: number[] = [];
  let scored;
  try {
    const scorer = filterScorer(rm);
    if (items[0]) await scoreShownItems(scorer, [items[0]]); // warm-up, not measured
    scored = await scoreShownItems(scorer, items, undefined, filterMs);
  } finally {
    rm.model.dispose();
    rm.head.dispose();
  }
  const own = filterFigures(items, scored);
  const fromFile = row === "student" && (filter.thresholds.balanced !== null || filter.thresholds.strict !== null);
  const thresholds = fromFile ? filter.thresholds : own.thresholds;
  const modes = {
    balanced: filterOutcome(items, scored, thresholds.balanced, "balanced", filterMs),
    strict: filterOutcome(items, scored, thresholds.strict, "strict", filterMs),
  };
  const c = { p50: r2(percentile(completionMs, 50)), p95: r2(percentile(completionMs, 95)) };
  const f = { p50: r2(percentile(filterMs, 50)), p95: r2(percentile(filterMs, 95)) };
  return { row, thresholdsFrom: fromFile ? FILTER_FILE : "this bench's items (in-sample)", places: set.probes.length, shown: items.length, thresholds, auc: fromFile ? filter.auc : own.auc, modes, completionMs: c, filterMs: f, ratio: { p50: r2(f.p50 / c.p50), p95: r2(f.p95 / c.p95) }, trainSec };
}

export function formatFilterBench(r: FilterBenchResult & { row: string; thresholdsFrom: string }): string {
  const pct = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(1)}%`);
  const lines = [
    `model ${r.row}, thresholds from ${r.thresholdsFrom}`,
    `held-out places ${r.places}, non-empty suggestions ${r.shown}; reward model acceptance AUC ${r.auc === null ? "–" : r.auc.toFixed(3)}`,
    ...(["balanced", "strict"] as const).map((m) => {
      const o = r.modes[m];
      return `${m.padEnd(8)} threshold ${o.threshold === null ? "none" : o.threshold.toFixed(3)}: held back ${pct(o.heldBackShare)}; exact match shown ${pct(o.exactMatchShown)} (${o.exactMatchShownItems}) vs all ${pct(o.exactMatchAll)} (${o.exactMatchItems})`;
    }),
    `completion (unfiltered, tfjs) p50 ${r.completionMs.p50} ms, p95 ${r.completionMs.p95} ms`,
    `filter added p50 ${r.filterMs.p50} ms, p95 ${r.filterMs.p95} ms; ratio to the completion p50 ${r.ratio.p50}, p95 ${r.ratio.p95}`,
  ];
  if (r.trainSec !== null) lines.push(`micro run trained in ${r.trainSec.toFixed(0)} s`);
  return lines.join("\n");
}

if (process.argv[1] && /bench[/\\]filter\.ts$/.test(process.argv[1])) {
  const args = process.argv.slice(2);
  const cacheAt = args.indexOf("--cache");
  const cache = resolve(cacheAt >= 0 ? args[cacheAt + 1]! : ".cache/bench/filter");
  const rowAt = args.indexOf("--row");
  const row = (rowAt >= 0 ? args[rowAt + 1] : "student") as "student" | "dpo" | "sft";
  runFilterBench(cache, (l) => process.stderr.write(`${l}\n`), row).then(
    (r) => process.stdout.write(`${args.includes("--json") ? JSON.stringify(r, null, 2) : formatFilterBench(r)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
