// The teacher's pass: its top-k next-token distribution at every counted position of the
// distillation rows, written once to a compact file (core/formats/teacher-targets), so the
// teacher is gone from memory before the student trains.
import * as tf from "@tensorflow/tfjs-core";
import { TeacherTargetsWriter } from "../../core/formats/teacher-targets";
import type { Qwen2Model } from "../model";
import { topKLogProbs } from "../../core/math/top-k";
import type { PromptCompletionRow } from "../../core/examples/encode-examples";
import { completionBatch } from "./score";

export interface TeacherPassOptions {
  k: number;
  /** Rows per teacher forward pass. */
  batchSize?: number;
  /** Name stored in the file (the teacher's folder). */
  teacherName: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Writes `path`. mask[t] = 1 where the token after position t is a target (a completion token
 * for SFT rows, every token for pretraining rows); positions with mask 0 store no distribution
 * (unused slots) since nothing reads them. Returns false when cancelled (no file is left).
 */
export async function writeTeacherTargets(teacher: Qwen2Model, rows: readonly PromptCompletionRow[], padId: number, path: string, options: TeacherPassOptions): Promise<boolean> {
  const vocab = teacher.config.vocab_size;
  const k = Math.min(options.k, vocab);
  const writer = new TeacherTargetsWriter(path, { k, vocabSize: vocab, teacher: options.teacherName });
  const step = options.batchSize ?? 8;
  try {
    for (let i = 0; i < rows.length; i += step) {
      if (options.signal?.aborted) {
        writer.abort();
        return false;
      }
      const chunk = rows.slice(i, i + step);
      const batch = completionBatch(chunk, padId);
      const logits = tf.tidy(() => teacher.logits(batch));
      const values = await logits.data();
      logits.dispose();
      chunk.forEach((row, r) => {
        const n = row.ids.length;
        const mask = new Uint8Array(n);
        const ids = new Int32Array(n * k).fill(-1);
        const logProbs = new Float32Array(n * k).fill(-Infinity);
        for (let t = 0; t + 1 < n; t++) {
          if (t + 1 < row.completionStart) continue;
          mask[t] = 1;
          const at = (r * batch.seqLen + t) * vocab;
          const top = topKLogProbs(values.subarray(at, at + vocab), k);
          ids.set(top.ids, t * k);
          logProbs.set(top.logProbs, t * k);
        }
        writer.append({ tokens: row.ids, mask, ids, logProbs });
      });
      options.onProgress?.(Math.min(i + step, rows.length), rows.length);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    writer.close();
    return true;
  } catch (err) {
    writer.abort();
    throw err;
  }
}

/** One row's stored record: which positions count, and their top-k ids and log-probs. */
export type RowTargets = { mask: Uint8Array; ids: Int32Array; logProbs: Float32Array };

/**
 * Writes `path` from a per-row pass (llama.cpp's scorer): the same file as writeTeacherTargets.
 * Returns false when cancelled (no file is left).
 */
export async function writeTeacherTargetsWith(
  rows: readonly PromptCompletionRow[],
  path: string,
  meta: { k: number; vocabSize: number; teacherName: string },
  perRow: (row: PromptCompletionRow) => Promise<RowTargets>,
  options: Pick<TeacherPassOptions, "signal" | "onProgress"> = {},
): Promise<boolean> {
  const writer = new TeacherTargetsWriter(path, { k: meta.k, vocabSize: meta.vocabSize, teacher: meta.teacherName });
  try {
    for (let i = 0; i < rows.length; i++) {
      if (options.signal?.aborted) {
        writer.abort();
        return false;
      }
      const row = rows[i]!;
      writer.append({ tokens: row.ids, ...(await perRow(row)) });
      options.onProgress?.(i + 1, rows.length);
    }
    writer.close();
    return true;
  } catch (err) {
    writer.abort();
    throw err;
  }
}
