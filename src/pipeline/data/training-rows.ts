// Token rows for the next-token stages, read from the datasets: continued pretraining (packed
// documents, every token a target) and SFT (prompt + completion, only the completion a
// target). The engine turns them into micro-batches (engine/data/lm-rows).
import type { PretrainRecord, SftKind, SftRecord } from "../../core/store/dataset-files";
import { datasetPaths } from "../../core/store/dataset-files";
import { readRecords } from "../../core/store/jsonl-reader";
import { encodePromptCompletion, packDocuments, type PromptCompletionRow, type TextTokenizer } from "../../core/examples/encode-examples";
import { Reservoir, reservoirSample, shuffled } from "../../core/random/sample";

export interface RowOptions {
  seqLen: number;
  /** Most rows (or records) to keep: what the stage's steps can use. */
  maxRows: number;
  seed: number;
  /** Whether the record at this index of its file's dataset trains (data cleaning with the base, base-loss.ts); default all. */
  keep?: (path: string | undefined, index: number) => boolean;
}

/** Pretraining rows from pretrain.jsonl: a seeded sample of documents, shuffled, packed. */
export function pretrainRows(tok: TextTokenizer, datasetDir: string, o: RowOptions): PromptCompletionRow[] {
  const keep = o.keep ?? (() => true);
  const records = reservoirSample(
    (function* () {
      let i = 0;
      for (const r of readRecords<PretrainRecord>(datasetPaths(datasetDir).pretrain)) if (keep(r.path, i++)) yield r;
    })(),
    o.maxRows,
    o.seed,
  );
  const texts = shuffled(records, o.seed + 1).flatMap((r) => (typeof r.text === "string" && r.text.length ? [r.text] : []));
  return packDocuments(tok, texts, o.seqLen).map((ids) => ({ ids, completionStart: 0 }));
}

/**
 * Shares of SFT kinds in a run's rows. Completions in the editor are fill-in-the-middle, and a
 * run of a few hundred steps cannot afford the kinds at their natural mix (a well-documented
 * repository has more docstring pairs than FIM samples, and each is longer): FIM gets most
 * rows, docstring and commit pairs the rest. A kind with too few records leaves its share to
 * the others.
 */
export const SFT_KIND_SHARES: Readonly<Record<SftKind, number>> = { fim: 0.7, docstring: 0.2, commit: 0.1 };

/** SFT rows from sft.jsonl: prompt masked, completion (and <|endoftext|> when whole) trained. */
export function sftRows(tok: TextTokenizer, datasetDir: string, o: RowOptions & { shares?: Readonly<Record<SftKind, number>> }): PromptCompletionRow[] {
  const shares = o.shares ?? SFT_KIND_SHARES;
  // One bounded reservoir per kind: memory stays at most maxRows records a kind.
  const reservoirs = new Map<SftKind, Reservoir<SftRecord>>();
  const keep = o.keep ?? (() => true);
  let index = 0;
  for (const r of readRecords<SftRecord>(datasetPaths(datasetDir).sft)) {
    if (!keep(r.path, index++)) continue;
    if (typeof r.prompt !== "string" || typeof r.completion !== "string" || !(r.kind in shares)) continue;
    let res = reservoirs.get(r.kind);
    if (!res) reservoirs.set(r.kind, (res = new Reservoir<SftRecord>(o.maxRows, o.seed)));
    res.push(r);
  }
  const byKind = new Map([...reservoirs].map(([k, res]) => [k, res.kept]));
  // Hand out rows by share; what a kind cannot fill goes to the kinds that can.
  const quota = new Map<SftKind, number>();
  let left = o.maxRows;
  let open = [...byKind.keys()];
  while (left > 0 && open.length) {
    const total = open.reduce((a, k) => a + shares[k], 0);
    let given = 0;
    for (const k of open) {
      const want = Math.max(1, Math.floor((left * shares[k]) / total));
      const room = byKind.get(k)!.length - (quota.get(k) ?? 0);
      const take = Math.min(want, room, left - given);
      quota.set(k, (quota.get(k) ?? 0) + take);
      given += take;
    }
    left -= given;
    open = open.filter((k) => (quota.get(k) ?? 0) < byKind.get(k)!.length);
    if (given === 0) break;
  }
  const records = shuffled(
    [...byKind].flatMap(([k, list]) => list.slice(0, quota.get(k) ?? 0)),
    o.seed + 2,
  );
  const rows: PromptCompletionRow[] = [];
  for (const r of records) {
    const row = encodePromptCompletion(tok, r.prompt, r.completion, o.seqLen);
    if (row) rows.push(row);
  }
  return rows;
}

