// The reward model: the SFT model with a scalar head (Hugging Face's
// Qwen2ForSequenceClassification `score.weight`, [1, hidden]) read at the last token of
// prompt + completion. Its scores rank candidates (serving can rerank with it and hold back
// completions likely to be rejected) and its held-out pair accuracy goes in the report.
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { readSafetensors, writeSafetensors } from "../../core/formats/safetensors";
import type { Tokenizer } from "../../core/tokenizer";
import { makeLmBatch, type Qwen2Model } from "../model";
import { normalArray, seededRandom } from "../../core/random/seeded-random";
import type { CompletionScorer } from "../../core/completion/completer";
import { encodeSharedPrompt, specialIds, type PromptCompletionRow } from "../../core/examples/encode-examples";
import { loadModelDir } from "../model-store/model-dir";

export const SCORE_FILE = "score.safetensors";
export const SCORE_WEIGHT = "score.weight";

export interface RewardModel {
  model: Qwen2Model;
  tokenizer: Tokenizer;
  /** [1, hidden] */
  head: tf.Variable;
}

let heads = 0;
/** tfjs variable names are global: each head gets its own. */
const headName = () => `reward_head_${heads++}`;

export function newRewardHead(model: Qwen2Model, seed: number): tf.Variable {
  const hidden = model.config.hidden_size;
  const init = tf.tensor2d(normalArray(hidden, model.config.initializer_range, seededRandom(seed)), [1, hidden]);
  const v = tf.variable(init, true, headName());
  init.dispose();
  return v;
}

export function loadRewardModel(dir: string): RewardModel {
  const m = loadModelDir(dir);
  const file = join(dir, SCORE_FILE);
  if (!existsSync(file)) throw new Error(`${dir} is not a reward model: it has no ${SCORE_FILE}`);
  const t = readSafetensors(file).tensors.get(SCORE_WEIGHT);
  if (!t || t.shape.length !== 2 || t.shape[0] !== 1 || t.shape[1] !== m.config.hidden_size) {
    throw new Error(`${file}: expected ${SCORE_WEIGHT} of shape [1, ${m.config.hidden_size}]`);
  }
  const init = tf.tensor2d(t.data, [1, m.config.hidden_size]);
  const head = tf.variable(init, false, headName());
  init.dispose();
  return { model: m.model, tokenizer: m.tokenizer, head };
}

export function saveRewardHead(dir: string, head: tf.Variable): void {
  writeSafetensors(join(dir, SCORE_FILE), [[SCORE_WEIGHT, { dtype: "F32", shape: head.shape, data: head.dataSync() as Float32Array }]]);
}

/**
 * Rewards [R] of rows (each a whole prompt + completion). Every row's tokens all go in as
 * inputs and the head reads the hidden state of its last token. The row is picked with a
 * one-hot matrix product rather than a gather: gather's gradient is missing on wasm.
 */
export function rewards(rm: { model: Qwen2Model; head: tf.Variable }, rows: readonly PromptCompletionRow[], padId: number, training = false): tf.Tensor1D {
  return tf.tidy(() => {
    // makeLmBatch drops each row's last token from the inputs; an end-of-text after it keeps it in.
    const batch = makeLmBatch(
      rows.map((r) => [...r.ids, padId]),
      Math.max(...rows.map((r) => r.ids.length)),
      padId,
    );
    const h = rm.model.hiddenStates(batch, { training });
    const select = new Float32Array(rows.length * batch.batchSize * batch.seqLen);
    rows.forEach((r, i) => {
      select[i * batch.batchSize * batch.seqLen + i * batch.seqLen + r.ids.length - 1] = 1;
    });
    const last = tf.matMul(tf.tensor2d(select, [rows.length, batch.batchSize * batch.seqLen]), h);
    return tf.sum(tf.mul(last, rm.head), -1) as tf.Tensor1D;
  });
}

/** A reward model as a CompletionScorer: higher reward = preferred. */
export class RewardScorer implements CompletionScorer {
  constructor(
    readonly rm: RewardModel,
    readonly seqLen: number,
  ) {}

  async score(prompt: string, completions: readonly string[]): Promise<number[]> {
    const rows = encodeSharedPrompt(this.rm.tokenizer, prompt, completions, this.seqLen);
    if (!rows) throw new Error("score: a completion is empty");
    const r = rewards(this.rm, rows, specialIds(this.rm.tokenizer).eos);
    const values = Array.from(await r.data());
    r.dispose();
    return values;
  }
}
