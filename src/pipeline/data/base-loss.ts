// Data cleaning with the base, as Refact does before fine-tuning Qwen2.5-Coder: each training
// file's loss under the base (mean negative log-likelihood per token of its opening tokens,
// through llama.cpp) says what fine-tuning can learn from it. A file the base finds hopeless
// (loss above 3.0 nats: minified code, generated tables, another language's text) mostly
// teaches noise and is dropped; one it already finds very easy (below 0.3: boilerplate,
// licence headers) is down-weighted, so the repository's own code gets the steps. Each file's
// figure and verdict is written beside the stage's outputs and summarised in the report.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../core/fs/atomic-write";
import { datasetPaths, type PretrainRecord } from "../../core/store/dataset-files";
import { readRecords } from "../../core/store/jsonl-reader";
import { withLlamaScorer } from "../../serve/llama-passes";
import { hashSeed } from "../../core/random/seeded-random";

export interface BaseLossThresholds {
  /** Mean loss (nats per token) above which a file is dropped. Refact's default: 3.0. */
  hopelessAbove: number;
  /** Mean loss below which a file is down-weighted. */
  easyBelow: number;
  /** The share of an easy file's records that train. */
  easyWeight: number;
  /**
   * Opening tokens of each file that are scored. llama.cpp hands every position's distribution
   * to JavaScript as a map of the whole vocabulary: ~50 ms a position for Qwen2.5's 151,936 ids.
   */
  tokensPerFile: number;
  /** Files scored at most (the first ones of pretrain.jsonl); the rest keep their full weight. */
  maxFiles: number;
  /** Seconds scoring may take; files not reached by then keep their full weight. */
  budgetSec: number;
}

export const BASE_LOSS_DEFAULTS: Readonly<BaseLossThresholds> = Object.freeze({ hopelessAbove: 3.0, easyBelow: 0.3, easyWeight: 0.5, tokensPerFile: 48, maxFiles: 200, budgetSec: 60 });

export type FileVerdict = "keep" | "easy" | "hopeless";

export interface FileLoss {
  path: string;
  tokens: number;
  loss: number;
  verdict: FileVerdict;
}

export interface BaseLossReport {
  base: string;
  thresholds: BaseLossThresholds;
  files: FileLoss[];
  dropped: number;
  downWeighted: number;
  seconds: number;
}

export const BASE_LOSS_FILE = "base-loss.json";

export function verdictOf(loss: number, t: Pick<BaseLossThresholds, "hopelessAbove" | "easyBelow">): FileVerdict {
  return loss > t.hopelessAbove ? "hopeless" : loss < t.easyBelow ? "easy" : "keep";
}

/** Scores the training files with the base; null when llama.cpp cannot run it (the stage then trains on everything, and says so). */
export async function scoreFilesWithBase(basePath: string, datasetDir: string, outDir: string, thresholds: BaseLossThresholds, signal?: AbortSignal, log?: (m: string) => void): Promise<BaseLossReport | null> {
  const started = Date.now();
  const firstText = new Map<string, string>();
  for (const r of readRecords<PretrainRecord>(datasetPaths(datasetDir).pretrain)) {
    if (typeof r.path !== "string" || typeof r.text !== "string" || firstText.has(r.path)) continue;
    if (firstText.size >= thresholds.maxFiles) break;
    firstText.set(r.path, r.text);
  }
  const pass = await withLlamaScorer(
    basePath,
    async (scorer) => {
      const files: FileLoss[] = [];
      for (const [path, text] of firstText) {
        if (signal?.aborted || (Date.now() - started) / 1000 > thresholds.budgetSec) break;
        const ids = scorer.tokenize(text).slice(0, thresholds.tokensPerFile + 1);
        if (ids.length < 2) continue;
        const lp = await scorer.targetLogProbs(ids, 1);
        const loss = -lp.reduce((a, b) => a + b, 0) / lp.length;
        files.push({ path, tokens: lp.length, loss: Math.round(loss * 1000) / 1000, verdict: verdictOf(loss, thresholds) });
      }
      return files;
    },
    log,
  );
  if (!pass) return null;
  const files = pass.result;
  const report: BaseLossReport = {
    base: basePath,
    thresholds,
    files,
    dropped: files.filter((f) => f.verdict === "hopeless").length,
    downWeighted: files.filter((f) => f.verdict === "easy").length,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  writeFileAtomicSync(join(outDir, BASE_LOSS_FILE), JSON.stringify(report, null, 2) + "\n");
  return report;
}

/**
 * Whether a record of `path` trains: never for a hopeless file, for a seeded share of an easy
 * file's records (by the record's index, so the same records every run), always otherwise.
 */
export function recordFilter(report: Pick<BaseLossReport, "files" | "thresholds"> | null, seed: number): (path: string | undefined, index: number) => boolean {
  if (!report) return () => true;
  const verdicts = new Map(report.files.map((f) => [f.path, f.verdict]));
  return (path, index) => {
    const v = path === undefined ? undefined : verdicts.get(path);
    if (v === "hopeless") return false;
    if (v === "easy") return (hashSeed(seed, `${path}#${index}`) >>> 0) / 4294967296 < report.thresholds.easyWeight;
    return true;
  };
}

/** A base-loss.json written by scoreFilesWithBase; null when it cannot be read. */
export function readBaseLossReport(file: string): BaseLossReport | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as BaseLossReport;
  } catch {
    return null;
  }
}

/** One line for the log and the report's notes. */
export function describeBaseLoss(r: BaseLossReport): string {
  const worst = [...r.files].sort((a, b) => b.loss - a.loss).slice(0, 3).filter((f) => f.verdict === "hopeless");
  return (
    `data cleaning with the base: ${r.files.length} files scored on up to ${r.thresholds.tokensPerFile} tokens each in ${r.seconds} s${r.seconds > r.thresholds.budgetSec ? ` (its ${r.thresholds.budgetSec}-second budget: files after these train as gathered)` : ""}; ` +
    `${r.dropped} dropped as hopeless (loss above ${r.thresholds.hopelessAbove} nats/token${worst.length ? `: ${worst.map((f) => `${f.path} ${f.loss.toFixed(2)}`).join(", ")}` : ""}), ` +
    `${r.downWeighted} down-weighted to ${Math.round(r.thresholds.easyWeight * 100)}% as already easy (below ${r.thresholds.easyBelow}); the rest train as gathered`
  );
}
