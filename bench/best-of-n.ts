// `node --import tsx bench/best-of-n.ts --run DIR [--n 4] [--probes 60] [--json]`: best-of-n
// (issue 15, item 4) on a finished run's held-out places, measured the way the editor would see
// it. DIR is a run folder (OUT/runs/ID) or a data folder (its latest run). The served model (the
// run's student GGUF, else its teacher's) completes each place through llama.cpp, once greedily
// (what is served by default) and once as best-of-n (the greedy candidate and n - 1 sampled ones,
// the run's reward model picking, completeBestOf: the completion server's code). Printed: exact
// match of each with its 95% interval, the paired difference and its p-value, how often some
// candidate was right (what a perfect picker would reach), and the latency of both, p50 and p95,
// with their ratio. Figures, never pass/fail.
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { complete } from "../src/core/completion/complete";
import { completeBestOf } from "../src/core/completion/best-of-n";
import { DEFAULT_COMPLETION_SETTINGS, probeContext } from "../src/core/completion/context";
import { exactMatch } from "../src/core/completion/metrics";
import { bootstrapInterval, pairedTest, type Interval } from "../src/core/math/resampling";
import { runArtifacts, runServing } from "../src/core/runs/run-artifacts";
import { locateRun, runLayout } from "../src/core/runs/run-layout";
import { loadEvalSet } from "../src/pipeline/data/heldout-data";
import { loadRewardFilter } from "../src/pipeline/evaluation/reward-filter";
import { LlamaEngine } from "../src/serve";
import { percentile } from "./filter";

export interface BestOfBenchResult {
  run: string;
  model: string;
  n: number;
  places: number;
  exactMatch: { greedy: number; bestOf: number; greedyInterval: Interval | null; bestOfInterval: Interval | null };
  paired: { delta: number; p: number };
  /** Share of places where some candidate matched: the most a perfect picker could reach. */
  anyCandidate: number;
  meanCandidates: number;
  latencyMs: { greedy: { p50: number; p95: number }; bestOf: { p50: number; p95: number }; ratioP50: number };
}

const r2 = (x: number) => Math.round(x * 100) / 100;

export async function runBestOfBench(dir: string, n: number, maxProbes: number, log: (line: string) => void): Promise<BestOfBenchResult> {
  const { out, runId } = locateRun(dir);
  const artifacts = runArtifacts(out, runId);
  const rewardModelDir = artifacts?.rewardModel;
  if (!rewardModelDir) throw new Error(`run ${runId} has no reward model (its done event names none): best-of-n has nothing to pick with`);
  const serving = runServing(out, runId, "student") ?? runServing(out, runId, "teacher");
  const model = serving?.gguf;
  if (!model) throw new Error(`run ${runId} has no GGUF of its student or teacher on disk`);
  const reranker = await loadRewardFilter(rewardModelDir, "off", n);
  if (!reranker) throw new Error(`cannot load the reward model in ${rewardModelDir}`);
  const probes = loadEvalSet(runLayout(out, runId).datasetDir, { maxProbes, maxPairs: 0, seed: 7, pairFiles: [] }).probes;
  log(`run ${runId}: ${probes.length} held-out places, ${model}, reward model ${rewardModelDir}, n = ${n}`);
  const engine = await LlamaEngine.load({ modelPath: model, gpu: false, ...(serving?.lora ? { lora: { path: serving.lora } } : {}) });
  const options = { maxTokens: DEFAULT_COMPLETION_SETTINGS.maxTokens, budget: DEFAULT_COMPLETION_SETTINGS.budget };
  const greedyHits: number[] = [], bestHits: number[] = [], anyHits: number[] = [];
  const greedyMs: number[] = [], bestMs: number[] = [];
  let candidates = 0;
  try {
    if (probes[0]) await complete(engine, probeContext(probes[0]), options); // warm-up, not measured
    for (const p of probes) {
      const context = { ...probeContext(p), languageId: "" };
      let t = performance.now();
      const greedy = await complete(engine, context, options);
      greedyMs.push(performance.now() - t);
      t = performance.now();
      const best = await completeBestOf(engine, context, { ...options, n, reranker });
      bestMs.push(performance.now() - t);
      greedyHits.push(exactMatch(greedy.text, p.target) ? 1 : 0);
      bestHits.push(exactMatch(best.text, p.target) ? 1 : 0);
      anyHits.push(best.candidates.some((c) => exactMatch(c, p.target)) ? 1 : 0);
      candidates += best.candidates.length;
    }
  } finally {
    await engine.dispose();
    reranker.dispose();
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const paired = pairedTest(greedyHits, bestHits);
  const g = { p50: r2(percentile(greedyMs, 50)), p95: r2(percentile(greedyMs, 95)) };
  const b = { p50: r2(percentile(bestMs, 50)), p95: r2(percentile(bestMs, 95)) };
  return {
    run: join(out, "runs", runId),
    model,
    n,
    places: probes.length,
    exactMatch: { greedy: mean(greedyHits), bestOf: mean(bestHits), greedyInterval: bootstrapInterval(greedyHits), bestOfInterval: bootstrapInterval(bestHits) },
    paired: { delta: paired.delta, p: paired.p },
    anyCandidate: mean(anyHits),
    meanCandidates: r2(candidates / Math.max(1, probes.length)),
    latencyMs: { greedy: g, bestOf: b, ratioP50: r2(b.p50 / g.p50) },
  };
}

export function formatBestOfBench(r: BestOfBenchResult): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const iv = (i: Interval | null) => (i ? ` [${pct(i[0])}, ${pct(i[1])}]` : "");
  return [
    `run ${r.run}, model ${r.model}, n = ${r.n}, ${r.places} held-out places (${r.meanCandidates} distinct non-empty candidates each on average)`,
    `exact match greedy ${pct(r.exactMatch.greedy)}${iv(r.exactMatch.greedyInterval)}, best-of-${r.n} ${pct(r.exactMatch.bestOf)}${iv(r.exactMatch.bestOfInterval)}; paired difference ${(100 * r.paired.delta).toFixed(1)} points, p = ${r.paired.p.toFixed(3)}`,
    `some candidate right: ${pct(r.anyCandidate)} (what a perfect picker would reach)`,
    `latency greedy p50 ${r.latencyMs.greedy.p50} ms, p95 ${r.latencyMs.greedy.p95} ms; best-of-${r.n} p50 ${r.latencyMs.bestOf.p50} ms, p95 ${r.latencyMs.bestOf.p95} ms; ratio p50 ${r.latencyMs.ratioP50}`,
  ].join("\n");
}

if (process.argv[1] && /bench[/\\]best-of-n\.ts$/.test(process.argv[1])) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const dir = flag("--run");
  if (!dir) {
    process.stderr.write("usage: node --import tsx bench/best-of-n.ts --run OUT/runs/ID|OUT [--n 4] [--probes 60] [--json]\n");
    process.exit(2);
  }
  runBestOfBench(dir, Number(flag("--n") ?? 4), Number(flag("--probes") ?? 60), (l) => process.stderr.write(`${l}\n`)).then(
    (r) => process.stdout.write(`${args.includes("--json") ? JSON.stringify(r, null, 2) : formatBestOfBench(r)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
