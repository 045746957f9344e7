// The reward model stage (the seed's RLHF step, as TRL's RewardTrainer): the SFT model plus a
// scalar head, trained on preference pairs with -log sigmoid(r_chosen - r_rejected). Its
// accuracy on held-out pairs is what the report shows.
import { join } from "node:path";
import type { PreferencePair } from "../../core/feedback/feedback-types";
import { datasetPaths } from "../../core/store/dataset-files";
import { readRecords } from "../../core/store/jsonl-reader";
import { pairSplit } from "../data/heldout-data";
import { preferenceAccuracy } from "../../core/completion/metrics";
import { padIdOf } from "../../core/examples/encode-examples";
import { rewardLossFn } from "../../engine/loss-fns";
import type { StageOutcome } from "./lm-training";
import { saveModelDir } from "../../engine/model-store/model-dir";
import { openModel } from "../../engine/model-store/model-source";
import { encodePairs, PairRows } from "../../engine/data/pair-rows";
import { newRewardHead, RewardScorer, saveRewardHead, SCORE_WEIGHT, type RewardModel } from "../../engine/reward/reward-model";
import { dropCheckpoints, trainLoop, type TrainOptions } from "../../engine/train-loop";

export interface RewardStageInputs {
  sftModelDir: string;
  datasetDir: string;
  outDir: string;
  /** More training pairs besides the editor's (the DPO stage's synthetic-preferences.jsonl). */
  pairFiles?: readonly string[];
  /** Held-out pairs to report the accuracy on (the DPO stage's heldout-preferences.jsonl). */
  heldoutPairFiles?: readonly string[];
}

export interface RewardStageOptions extends TrainOptions {
  seqLen: number;
}

export interface RewardOutcome extends StageOutcome {
  heldoutAccuracy: number | null;
  heldoutItems: number;
}

function readPairs(files: readonly string[], keep: (p: PreferencePair) => boolean): PreferencePair[] {
  const out: PreferencePair[] = [];
  for (const f of files) for (const p of readRecords<PreferencePair>(f)) if (typeof p.prompt === "string" && typeof p.chosen === "string" && typeof p.rejected === "string" && keep(p)) out.push(p);
  return out;
}

export async function runRewardStage(inputs: RewardStageInputs, options: RewardStageOptions): Promise<RewardOutcome> {
  const opened = openModel({ modelDir: inputs.sftModelDir });
  const { model, tokenizer } = opened;
  const head = newRewardHead(model, options.seed);
  const rm: RewardModel = { model, tokenizer, head };
  const padId = padIdOf(tokenizer);
  const seqLen = Math.min(options.seqLen, model.config.max_position_embeddings - 1);
  try {
    const isHeldout = pairSplit(inputs.datasetDir);
    const train = readPairs([datasetPaths(inputs.datasetDir).preferences], (p) => !isHeldout(p)).concat(readPairs(inputs.pairFiles ?? [], () => true));
    const encoded = encodePairs(tokenizer, train, seqLen);
    if (encoded.length === 0) {
      const none = { status: "completed" as const, steps: 0, firstLoss: null, finalLoss: null, metrics: {}, tokens: 0, seconds: 0 };
      return { status: "completed", modelDir: null, train: none, examples: 0, notes: ["no preference pairs: no reward model"], heldoutAccuracy: null, heldoutItems: 0 };
    }
    const data = new PairRows(encoded, padId);
    const params = new Map(model.trainableVariables());
    params.set(SCORE_WEIGHT, head);
    const result = await trainLoop(params, data, rewardLossFn(rm, padId), { ...options, checkpointDir: join(inputs.outDir, "checkpoints") }, { config: opened.config, tokenizer: opened.tokenizerJson });
    let modelDir: string | null = null;
    let heldout = { accuracy: null as number | null, items: 0 };
    if (result.status === "completed") {
      modelDir = join(inputs.outDir, "model");
      await saveModelDir(modelDir, model, tokenizer);
      saveRewardHead(modelDir, head);
      dropCheckpoints(join(inputs.outDir, "checkpoints"));
      const pairs = readPairs([datasetPaths(inputs.datasetDir).preferences], isHeldout).concat(readPairs(inputs.heldoutPairFiles ?? [], () => true));
      heldout = await preferenceAccuracy(new RewardScorer(rm, seqLen), pairs, options.signal);
    }
    return { status: result.status, modelDir, train: result, examples: encoded.length, notes: [], heldoutAccuracy: heldout.accuracy, heldoutItems: heldout.items };
  } finally {
    model.dispose();
    head.dispose();
  }
}
