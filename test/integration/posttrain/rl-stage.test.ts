// The RL runner (src/pipeline/training/rl-training.ts) on a barely trained tiny model and a
// 2-step reward model: it samples, scores and updates on-policy; reports TRL's RLOO metric names
// in its progress; starts at KL 0 (policy = reference before the first update); and its KL budget
// ends it early. Quality is not asserted: a model this small learns nothing in 3 steps.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { gatherDataset } from "../../../src/core/gather/gather";
import { readJsonlRecords } from "../../../src/core/store/jsonl-reader";
import type { PretrainRecord } from "../../../src/core/store/dataset-files";
import { saveTokenizerJson, trainBpe } from "../../../src/core/tokenizer";
import { runPretrainStage } from "../../../src/pipeline/training/lm-training";
import { runRewardStage } from "../../../src/pipeline/training/reward-training";
import { runRlStage, type RlStageOptions } from "../../../src/pipeline/training/rl-training";
import type { PosttrainProgress } from "../../../src/engine/train-loop";
import { makeFixtureRepo } from "./fixture-repo";

const SHAPE = { vocabSize: 300, hiddenSize: 32, layers: 1, heads: 2, kvHeads: 1, intermediateSize: 64, contextLength: 96 };
const TRL_NAMES = ["objective/kl", "objective/entropy", "objective/non_score_reward", "objective/rlhf_reward", "objective/scores", "policy/advantage_mean"];

describe("RL stage runner (RLOO on a tiny model)", { timeout: 300_000 }, () => {
  const root = fs.mkdtempSync(join(tmpdir(), "repotune-rl-"));
  const data = join(root, "dataset");
  let policyModelDir = "";
  let rewardModelDir = "";
  const base = (): RlStageOptions => ({ steps: 3, batchSize: 2, learningRate: 1e-3, seed: 3, k: 3, temperature: 1, maxNewTokens: 6, seqLen: 64, prompts: 8, klBudget: 100, evalEvery: 2, evalProbes: 4, beta: 0.05, lengthPenalty: 0.01 });

  before(async () => {
    await tf.setBackend("cpu");
    const repo = join(root, "repo");
    makeFixtureRepo(repo, 4);
    await gatherDataset({ repo, datasetDir: data, seed: 3, heldoutFraction: 0.25, fimCharsPerSample: 40, fimMaxPerFile: 10, probesPerFile: 4, fimPrefixChars: 200, fimSuffixChars: 40, commitCount: 1 });
    const texts = [...readJsonlRecords<PretrainRecord>(join(data, "pretrain.jsonl"))].map((l) => l.record.text);
    const tokenizerPath = join(root, "tokenizer.json");
    saveTokenizerJson(await trainBpe(texts, { vocabSize: SHAPE.vocabSize }), tokenizerPath);
    const pre = await runPretrainStage({ from: { tokenizerPath, shape: SHAPE, seed: 3 }, datasetDir: data, outDir: join(root, "pretrain") }, { batchSize: 4, seqLen: 64, seed: 3, learningRate: 3e-3, steps: 4 });
    policyModelDir = pre.modelDir!;
    // A reward model trained on the pairs of a file (no DPO here): written by hand, two steps.
    const pairs = join(root, "pairs.jsonl");
    fs.writeFileSync(pairs, Array.from({ length: 8 }, (_, i) => JSON.stringify({ prompt: `const x${i} = `, chosen: `${i};`, rejected: `"${i}" + ${i} + ${i};`, source: "synthetic" }) + "\n").join(""));
    const rm = await runRewardStage({ sftModelDir: policyModelDir, datasetDir: data, outDir: join(root, "reward"), pairFiles: [pairs] }, { batchSize: 4, seqLen: 64, seed: 3, learningRate: 1e-3, steps: 2 });
    rewardModelDir = rm.modelDir!;
    assert.ok(rewardModelDir, "reward model trained");
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("samples k completions per prompt, updates, and reports TRL's RLOO metrics; KL 0 at the first step", async () => {
    const progress: PosttrainProgress[] = [];
    const logs: string[] = [];
    const out = await runRlStage({ policyModelDir, rewardModelDir, datasetDir: data, outDir: join(root, "rl") }, { ...base(), onProgress: (p) => progress.push(p), log: (m) => logs.push(m) });
    assert.equal(out.status, "completed");
    assert.equal(out.train.steps, 3);
    assert.equal(progress.length, 3);
    for (const p of progress) for (const name of TRL_NAMES) assert.ok(Number.isFinite(p.metrics?.[name]), `${name} in step ${p.step}'s metrics`);
    // The first step's samples are scored before any update: the policy is the reference.
    assert.ok(Math.abs(progress[0]!.metrics!["objective/kl"]!) < 1e-3, `KL at step 1: ${progress[0]!.metrics!["objective/kl"]}`);
    // RLOO's advantages sum to zero per prompt, so their mean over the batch does too.
    for (const p of progress) assert.ok(Math.abs(p.metrics!["policy/advantage_mean"]!) < 1e-4);
    assert.ok(logs.some((l) => /validation EM/.test(l)), "validation EM checked");
    assert.ok(out.heldout.bestExactMatch >= out.heldout.startExactMatch);
    assert.equal(out.modelDir === null, out.heldout.bestStep === 0, "a model is written only when RL beat the start");
    console.log(`# rl: ${JSON.stringify(progress.map((p) => ({ step: p.step, kl: p.metrics!["objective/kl"], reward: p.metrics!["objective/rlhf_reward"] })))} ; heldout ${JSON.stringify(out.heldout)}`);
  });

  it("the KL budget stops the stage early", async () => {
    const out = await runRlStage({ policyModelDir, rewardModelDir, datasetDir: data, outDir: join(root, "rl-budget") }, { ...base(), klBudget: -1 });
    assert.equal(out.status, "completed");
    assert.equal(out.stoppedAtKl, 1);
    assert.equal(out.train.steps, 1);
  });
});
