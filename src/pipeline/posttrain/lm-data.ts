// Rows for the next-token stages: continued pretraining (packed documents, every token a
// target) and SFT (prompt + completion, only the completion a target), as a DataSource the
// trainer draws micro-batches from.
import type { PretrainRecord, SftRecord } from "../../core/store/dataset-files";
import { datasetPaths } from "../../core/store/dataset-files";
import { lossWeights, makeLmBatch, type LmBatch, type Qwen2Model } from "../../engine/model";
import type { DataSource, LossFn, MicroBatch } from "../../engine/train";
import { readRecords } from "../eval/eval-data";
import { encodePromptCompletion, packDocuments, specialIds, type PromptCompletionRow, type TextTokenizer } from "./encode";
import { reservoirSample, shuffled } from "./sample";

export type LmMicroBatch = LmBatch & MicroBatch;

export class LmRows implements DataSource<LmMicroBatch> {
  constructor(
    readonly rows: readonly PromptCompletionRow[],
    readonly seqLen: number,
    readonly padId: number,
  ) {}

  get size(): number {
    return this.rows.length;
  }

  batch(indices: readonly number[]): LmMicroBatch {
    const picked = indices.map((i) => this.rows[i]!);
    const b = makeLmBatch(
      picked.map((r) => r.ids),
      this.seqLen,
      this.padId,
      picked.map((r) => r.completionStart),
    );
    return { ...b, tokens: b.batchSize * b.seqLen };
  }
}

/** Mean cross-entropy over the counted targets, weighted by their count across micro-batches. */
export function lmLoss(model: Qwen2Model): LossFn<LmMicroBatch> {
  return (batch) => ({ loss: model.loss(batch, { training: true }), weight: lossWeights(batch).count });
}

export interface RowOptions {
  seqLen: number;
  /** Most rows (or records) to keep: what the stage's steps can use. */
  maxRows: number;
  seed: number;
}

/** Pretraining rows from pretrain.jsonl: a seeded sample of documents, shuffled, packed. */
export function pretrainRows(tok: TextTokenizer, datasetDir: string, o: RowOptions): PromptCompletionRow[] {
  const records = reservoirSample(readRecords<PretrainRecord>(datasetPaths(datasetDir).pretrain), o.maxRows, o.seed);
  const texts = shuffled(records, o.seed + 1).flatMap((r) => (typeof r.text === "string" && r.text.length ? [r.text] : []));
  return packDocuments(tok, texts, o.seqLen).map((ids) => ({ ids, completionStart: 0 }));
}

/** SFT rows from sft.jsonl: prompt masked, completion (and <|endoftext|> when whole) trained. */
export function sftRows(tok: TextTokenizer, datasetDir: string, o: RowOptions): PromptCompletionRow[] {
  const records = reservoirSample(readRecords<SftRecord>(datasetPaths(datasetDir).sft), o.maxRows, o.seed);
  const rows: PromptCompletionRow[] = [];
  for (const r of records) {
    if (typeof r.prompt !== "string" || typeof r.completion !== "string") continue;
    const row = encodePromptCompletion(tok, r.prompt, r.completion, o.seqLen);
    if (row) rows.push(row);
  }
  return rows;
}

export function padIdOf(tok: TextTokenizer): number {
  return specialIds(tok).eos;
}
