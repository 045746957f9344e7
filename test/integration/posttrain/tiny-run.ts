// One tiny post-training run on the fixture repository, every stage, as the fixture test and
// the seed-choosing script both need it: gather -> tokenizer -> pretrain -> SFT -> DPO ->
// reward -> distill -> evaluation of every model.
import { join } from "node:path";
import { gatherDataset } from "../../../src/core/gather/gather";
import { readJsonlRecords } from "../../../src/core/store/jsonl-reader";
import type { PretrainRecord } from "../../../src/core/store/dataset-files";
import { saveTokenizerJson, trainBpe } from "../../../src/core/tokenizer";
import { evaluateRun } from "../../../src/pipeline/evaluation/evaluate-run";
import type { EvalReport } from "../../../src/pipeline/evaluation/report";
import { runDistillStage } from "../../../src/pipeline/training/distillation";
import { runDpoStage } from "../../../src/pipeline/training/dpo-training";
import { runPretrainStage, runSftStage } from "../../../src/pipeline/training/lm-training";
import { runRewardStage } from "../../../src/pipeline/training/reward-training";
import { makeFixtureRepo } from "./fixture-repo";

export const TINY_SHAPE = { vocabSize: 384, hiddenSize: 128, layers: 2, heads: 4, kvHeads: 2, intermediateSize: 256, contextLength: 128 };

export interface TinyRunResult {
  report: EvalReport;
  seconds: Record<string, number>;
  dpo: Awaited<ReturnType<typeof runDpoStage>>;
  reward: Awaited<ReturnType<typeof runRewardStage>> | null;
  distill: Awaited<ReturnType<typeof runDistillStage>> | null;
}

/** Steps and rates of the tiny run: small enough for 2 minutes on 2 busy cores. */
export const TINY_STEPS = { pretrain: 40, sft: 240, dpo: 30, reward: 20, distill: 30, lr: 3e-3, prefLr: 5e-4, extras: true, engine: "tfjs" as "tfjs" | "llama" };

export async function tinyRun(root: string, seed: number, log: (m: string) => void = () => undefined, steps = TINY_STEPS, shape = TINY_SHAPE): Promise<TinyRunResult> {
  const seconds: Record<string, number> = {};
  let t = Date.now();
  const lap = (name: string) => {
    seconds[name] = (Date.now() - t) / 1000;
    log(`${name}: ${seconds[name]!.toFixed(1)} s`);
    t = Date.now();
  };
  const repo = join(root, "repo");
  const data = join(root, "dataset");
  makeFixtureRepo(repo);
  await gatherDataset({
    repo,
    datasetDir: data,
    seed,
    heldoutFraction: 0.25,
    fimCharsPerSample: 40,
    fimMaxPerFile: 30,
    probesPerFile: 10,
    fimPrefixChars: 300,
    // A short suffix: a model this small learns to look back past it to the prefix's end.
    fimSuffixChars: 40,
    commitCount: 2,
  });
  const texts = [...readJsonlRecords<PretrainRecord>(join(data, "pretrain.jsonl"))].map((l) => l.record.text);
  const tokenizer = await trainBpe(texts, { vocabSize: TINY_SHAPE.vocabSize });
  const tokenizerPath = join(root, "tokenizer.json");
  saveTokenizerJson(tokenizer, tokenizerPath);
  lap("gather+tokenizer");
  const common = { batchSize: 8, seqLen: 96, seed, learningRate: steps.lr };
  const pre = await runPretrainStage({ from: { tokenizerPath, shape, seed }, datasetDir: data, outDir: join(root, "pretrain") }, { ...common, steps: steps.pretrain });
  lap("pretrain");
  const sft = await runSftStage({ from: { modelDir: pre.modelDir! }, datasetDir: data, outDir: join(root, "sft") }, { ...common, steps: steps.sft });
  lap("sft");
  const dpo = await runDpoStage(
    { sftModelDir: sft.modelDir!, baseModelDir: pre.modelDir!, datasetDir: data, outDir: join(root, "dpo") },
    { ...common, learningRate: steps.prefLr, steps: steps.dpo, syntheticPairs: 64, heldoutPairs: 32, maxNewTokens: 16, log },
  );
  lap("dpo");
  if (!steps.extras) {
    const { report } = await evaluateRun(
      { models: { pretrain: pre.modelDir!, sft: sft.modelDir!, dpo: dpo.modelDir! }, datasetDir: data, outDir: root, pairFiles: dpo.files.heldoutPairs ? [dpo.files.heldoutPairs] : [] },
      { maxProbes: 80, maxPairs: 32, maxNewTokens: 16, seed, engine: steps.engine, config: { fixture: "tiny", shape, steps } },
    );
    lap("eval");
    return { report, seconds, dpo, reward: null, distill: null };
  }
  const reward = await runRewardStage(
    { sftModelDir: sft.modelDir!, datasetDir: data, outDir: join(root, "reward"), pairFiles: dpo.files.syntheticPairs ? [dpo.files.syntheticPairs] : [], heldoutPairFiles: dpo.files.heldoutPairs ? [dpo.files.heldoutPairs] : [] },
    { ...common, learningRate: steps.prefLr, steps: steps.reward },
  );
  lap("reward");
  const distill = await runDistillStage({ teacherDir: dpo.modelDir!, datasetDir: data, outDir: join(root, "distill") }, { ...common, steps: steps.distill, studentLayers: 1, topK: 16, log });
  lap("distill");
  const { report } = await evaluateRun(
    { models: { pretrain: pre.modelDir!, sft: sft.modelDir!, dpo: dpo.modelDir!, student: distill.modelDir! }, rewardModelDir: reward.modelDir!, datasetDir: data, outDir: root, pairFiles: dpo.files.heldoutPairs ? [dpo.files.heldoutPairs] : [] },
    { maxProbes: 80, maxPairs: 32, maxNewTokens: 16, seed, engine: steps.engine, config: { fixture: "tiny", shape, steps } },
  );
  lap("eval");
  return { report, seconds, dpo, reward, distill };
}
