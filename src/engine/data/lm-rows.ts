// Token rows as micro-batches for the next-token objectives: each row is a sequence with the
// position where its trained part starts (0 for pretraining: every token is a target).
import type { PromptCompletionRow } from "../../core/examples/encode-examples";
import { makeLmBatch, type LmBatch } from "../model";
import type { DataSource, MicroBatch } from "../train";

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
