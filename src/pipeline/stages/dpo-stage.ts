// Stage "dpo": preference tuning of the SFT model against itself frozen (DPO), on the
// editor's accepted/rejected pairs topped up with synthetic ones, then the reward model
// (the RLHF stage's scorer) on the same pairs. Editor feedback is one of its inputs: new
// pairs make it run again.
import { join } from "node:path";
import { datasetPaths } from "../../core/store/dataset-files";
import { runDpoStage } from "../training/dpo-training";
import { runRewardStage } from "../training/reward-training";
import type { Stage } from "../run/stage";
import { notOnAdapters, skipWithoutModel } from "./base-plan";
import { isAdapterFolder } from "../../core/formats/adapter-folder";
import { RUN_SEED, stageOptions, throwIfStageCancelled } from "./training-options";

export const dpoStage: Stage = {
  name: "dpo",
  totalSteps: (p) => p.steps.dpo + p.steps.reward,
  inputs: ({ preset, layout }) => ({
    settings: { steps: preset.steps.dpo, reward: preset.steps.reward, batch: preset.batchSize, evalItems: preset.evalItems, seed: RUN_SEED },
    files: [datasetPaths(layout.datasetDir).preferences],
  }),
  async run(ctx) {
    const sftModelDir = ctx.artifacts.sftModel;
    if (!sftModelDir) return skipWithoutModel(ctx, "DPO needs the SFT stage's model");
    const options = stageOptions(ctx);
    const dpo = await runDpoStage({ sftModelDir, baseModelDir: ctx.artifacts.pretrainModel, datasetDir: ctx.layout.datasetDir, outDir: join(ctx.dir, "dpo") }, { ...options.dpo, log: (m) => ctx.log(m) });
    for (const note of dpo.notes) ctx.log(note);
    throwIfStageCancelled(dpo.status);
    const m = dpo.train.metrics;
    if (!dpo.modelDir) ctx.log("no preference pairs: DPO skipped, the SFT model is the teacher", "warn");
    else ctx.log(`DPO on ${dpo.pairs.editor} editor + ${dpo.pairs.synthetic} synthetic pairs: rewards/accuracies ${m["rewards/accuracies"]?.toFixed(2)}, rewards/margins ${m["rewards/margins"]?.toFixed(3)}`);

    const adapters = isAdapterFolder(sftModelDir);
    if (adapters) ctx.log(notOnAdapters("the reward model"), "warn");
    // The reward model continues the same progress bar after DPO's steps.
    const offset = options.dpo.steps;
    const reward = adapters ? null : await runRewardStage(
      {
        sftModelDir,
        datasetDir: ctx.layout.datasetDir,
        outDir: join(ctx.dir, "reward"),
        pairFiles: dpo.files.syntheticPairs ? [dpo.files.syntheticPairs] : [],
        heldoutPairFiles: dpo.files.heldoutPairs ? [dpo.files.heldoutPairs] : [],
      },
      {
        ...options.reward,
        onProgress: (p) => ctx.progress({ ...p, step: p.step + offset, totalSteps: p.totalSteps + offset, loss: Number.isFinite(p.loss) ? p.loss : 0, rssMb: process.memoryUsage().rss / 2 ** 20 }),
      },
    );
    for (const note of reward?.notes ?? []) ctx.log(note);
    if (reward) throwIfStageCancelled(reward.status);
    if (reward && reward.heldoutAccuracy !== null) ctx.log(`reward model: held-out pair accuracy ${(100 * reward.heldoutAccuracy).toFixed(1)}% on ${reward.heldoutItems} pairs`);

    // No pairs at all (not even synthetic ones): no DPO model; the SFT model stays the teacher.
    const artifacts: Record<string, string> = dpo.modelDir ? { dpoModel: dpo.modelDir, teacher: dpo.modelDir } : { teacher: sftModelDir };
    if (reward?.modelDir) artifacts.rewardModel = reward.modelDir;
    if (dpo.files.heldoutPairs) artifacts.heldoutPairs = dpo.files.heldoutPairs;
    if (dpo.files.syntheticPairs) artifacts.syntheticPairs = dpo.files.syntheticPairs;
    return { artifacts };
  },
};
