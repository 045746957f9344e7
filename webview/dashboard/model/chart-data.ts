// Turns the model's columns into what one uPlot chart draws: each series thinned to the
// chart's width (downsample.ts), then merged onto one shared, sorted x axis with nulls where
// a series has no point, the "aligned data" uPlot expects.
import type { StageName } from "../../../src/core/protocol";
import { downsampleMinMax } from "./downsample";
import type { RunModel, StageSeries } from "./run-model";

export interface SeriesSpec {
  label: string;
  /** Colour slot: series of one stage share a hue across charts. */
  stage: StageName | null;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  /** Points only (eval loss, measured now and then) instead of a line. */
  points?: boolean;
  dashed?: boolean;
}

export type AlignedColumns = [number[], ...(number | null)[][]];

/** Downsamples every series to `buckets` pixel columns and aligns them on one x axis. */
export function alignForDrawing(specs: SeriesSpec[], buckets: number): AlignedColumns {
  const picked: { x: number; s: number; y: number }[] = [];
  specs.forEach((spec, s) => {
    for (const i of downsampleMinMax(spec.xs, spec.ys, buckets)) picked.push({ x: spec.xs[i] as number, s, y: spec.ys[i] as number });
  });
  picked.sort((a, b) => a.x - b.x || a.s - b.s);
  const xs: number[] = [];
  const columns: (number | null)[][] = specs.map(() => []);
  for (const p of picked) {
    const row = xs.length - 1;
    // Two series with a point at the same x share a row; a series with two points at one x
    // (a repeated step after a resume) keeps the later one.
    if (row >= 0 && xs[row] === p.x) {
      (columns[p.s] as (number | null)[])[row] = p.y;
      continue;
    }
    xs.push(p.x);
    for (const c of columns) c.push(null);
    (columns[p.s] as (number | null)[])[xs.length - 1] = p.y;
  }
  return [xs, ...columns];
}

type Column = "loss" | "lr" | "tokensPerSec" | "rssMb";

/** Stages that train: the others (gathering, evaluation...) report steps but no loss, lr or tokens/s. */
const TRAINING_STAGES: ReadonlySet<string> = new Set(["pretrain", "sft", "dpo", "rl", "distill"]);

/** One series per stage of a progress column (train loss, lr, tokens/s, memory). */
export function columnSpecs(model: RunModel, column: Column, label: (s: StageSeries) => string = (s) => s.stage): SeriesSpec[] {
  return [...model.series.values()]
    .filter((s) => s.x.length > 0 && (column === "rssMb" || TRAINING_STAGES.has(s.stage)))
    .map((s) => ({ label: label(s), stage: s.stage, xs: s.x, ys: s[column] }));
}

/** Train loss per stage and, where measured, eval loss as points. */
export function lossSpecs(model: RunModel): SeriesSpec[] {
  const specs = columnSpecs(model, "loss", (s) => `${s.stage} train`);
  for (const s of model.series.values()) {
    if (s.evalX.length) specs.push({ label: `${s.stage} eval`, stage: s.stage, xs: s.evalX, ys: s.evalLoss, points: true });
  }
  return specs;
}

/** Metric series (TRL names) of one stage whose names pass the filter. */
export function metricSpecs(model: RunModel, stage: StageName, keep: (name: string) => boolean): SeriesSpec[] {
  const s = model.series.get(stage);
  if (!s) return [];
  return [...s.metrics.entries()]
    .filter(([name]) => keep(name))
    .map(([name, ys]) => ({ label: name, stage, xs: s.x, ys }));
}

export const isDpoReward = (name: string): boolean => /^rewards\/(chosen|rejected|margins)$/.test(name);
export const isDpoAccuracy = (name: string): boolean => name === "rewards/accuracies";
export const isKl = (name: string): boolean => /(^|[/_])kl$/i.test(name);
/** RLOO's reward as TRL logs it: the reward model's score, and that score less the KL penalty. */
export const isRlReward = (name: string): boolean => name === "objective/scores" || name === "objective/rlhf_reward";
export const isRlKl = (name: string): boolean => name === "objective/kl";

/** Where the distillation KL is logged: the distill stage, whatever its metric's prefix. */
export function klSpecs(model: RunModel): SeriesSpec[] {
  return metricSpecs(model, "distill", isKl);
}
