// On-policy data for RLOO: each index is a prompt, and asking for a micro-batch draws k fresh
// samples of each of its prompts from the policy as it is at that step, scores them with the
// reward model and takes the frozen reference's log-probs of them. The Trainer asks for a
// step's micro-batches before its backward pass, so samples are always from the current policy.
import * as tf from "@tensorflow/tfjs-core";
import { completionBatch, countedMask } from "../inference/score";
import { sampleIds } from "../inference/sample";
import type { Qwen2Model } from "../model";
import type { DataSource } from "../train";
import type { RlooMicroBatch } from "../loss-fns/rloo-loss-fn";
import { rewards, type RewardModel } from "../reward/reward-model";
import { seededRandom } from "../../core/random/seeded-random";
import type { PromptCompletionRow } from "../../core/examples/encode-examples";

export interface RlRowsOptions {
  k: number;
  temperature: number;
  maxNewTokens: number;
  stopIds: ReadonlySet<number>;
  /** Ends a sample after this token (the newline that ends a line completion). */
  shouldStop?: (ids: readonly number[]) => boolean;
  padId: number;
  seed: number;
}

export class RlRows implements DataSource<RlooMicroBatch> {
  private draws = 0;
  constructor(
    private readonly prompts: readonly (readonly number[])[],
    private readonly policy: Qwen2Model,
    private readonly reference: Qwen2Model,
    private readonly reward: RewardModel,
    private readonly options: RlRowsOptions,
  ) {}

  get size(): number {
    return this.prompts.length;
  }

  batch(indices: readonly number[]): RlooMicroBatch {
    const o = this.options;
    // One stream per draw: a step's samples differ from the last step's even for the same prompts.
    const random = seededRandom(o.seed * 1_000_003 + this.draws++);
    const rows: PromptCompletionRow[] = [];
    for (const i of indices) {
      const prompt = this.prompts[i]!;
      for (let j = 0; j < o.k; j++) {
        const ids = sampleIds(this.policy, prompt, { maxNewTokens: o.maxNewTokens, temperature: o.temperature, stopIds: o.stopIds, random, ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}) });
        // The context was full: nothing sampled. A lone pad keeps the row (its reward still counts, its length is 1).
        rows.push({ ids: [...prompt, ...(ids.length ? ids : [o.padId])], completionStart: prompt.length });
      }
    }
    const lm = completionBatch(rows, o.padId);
    const mask = countedMask(lm);
    const refLogps = tf.tidy(() => this.reference.sequenceLogProbs(lm, lm.targets, mask).dataSync() as Float32Array);
    const scores = tf.tidy(() => rewards(this.reward, rows, o.padId).dataSync() as Float32Array);
    const lengths = Float32Array.from(rows, (r) => r.ids.length - r.completionStart);
    return { lm, refLogps: Float32Array.from(refLogps), scores: Float32Array.from(scores), lengths, tokens: lm.batchSize * lm.seqLen };
  }
}
