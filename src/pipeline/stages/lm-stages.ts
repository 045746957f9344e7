// Stages "pretrain" (continued pretraining, causal LM on pretrain.jsonl) and "sft" (FIM,
// docstring and commit pairs, completion-only loss). Pretraining continues from the base when
// the run has one (all of its weights, when they fit: base-plan.ts), else starts a fresh model
// of the preset's shape on the repository's tokenizer; SFT continues from it.
import { join } from "node:path";
import { runPretrainStage, runSftStage } from "../training/lm-training";
import { throwIfCancelled, type Stage, type StageContext, type StageResult } from "../run/stage";
import { BASE_LOSS_DEFAULTS, BASE_LOSS_FILE, describeBaseLoss, readBaseLossReport, recordFilter, scoreFilesWithBase, type BaseLossReport } from "../data/base-loss";
import { baseIdentity, fullTrainingProblem, loraPlan, skipWithoutModel } from "./base-plan";
import { RUN_SEED, stageOptions, throwIfStageCancelled } from "./training-options";

export const pretrainStage: Stage = {
  name: "pretrain",
  totalSteps: (p) => p.steps.pretrain,
  inputs: ({ preset, job }) => ({
    settings: { shape: job.base ? baseIdentity(job.base) : preset.teacher, lora: job.lora ?? null, baseLoss: job.baseLoss ?? null, steps: preset.steps.pretrain, batch: preset.batchSize, lr: preset.learningRate, seed: RUN_SEED },
  }),
  async run(ctx): Promise<StageResult> {
    const tokenizerPath = ctx.artifacts.tokenizer;
    if (!tokenizerPath) throw new Error("pretraining needs the tokenizer stage's tokenizer.json");
    const base = ctx.artifacts.base;
    const lora = loraPlan(ctx);
    if (base && !lora) {
      const problem = fullTrainingProblem(base, ctx.backend);
      if (problem) {
        const reason = `${problem} (LoRA was turned off: --lora never)`;
        ctx.log(reason, "warn");
        return { artifacts: {}, skippedReason: reason };
      }
    }
    if (lora) ctx.log(`LoRA over the frozen base: rank ${lora.r}, alpha ${lora.alpha}, dropout ${lora.dropout}, on ${lora.targetModules.join(", ")}`);
    const from = base ? { basePath: base, ...(lora ? { lora, seed: RUN_SEED } : {}) } : { tokenizerPath, shape: ctx.preset.teacher, seed: RUN_SEED };
    const cleaning = base ? await cleanWithBase(ctx, base) : null;
    throwIfCancelled(ctx.signal);
    const outcome = await runPretrainStage(
      { from, datasetDir: ctx.layout.datasetDir, outDir: ctx.dir, ...(cleaning ? { keepRecord: recordFilter(cleaning.report, RUN_SEED) } : {}) },
      stageOptions(ctx).pretrain,
    );
    for (const note of outcome.notes) ctx.log(note);
    throwIfStageCancelled(outcome.status);
    ctx.log(`loss ${outcome.train.firstLoss?.toFixed(3)} -> ${outcome.train.finalLoss?.toFixed(3)} over ${outcome.train.steps} steps (${outcome.examples} rows)`);
    return { artifacts: { pretrainModel: outcome.modelDir!, ...(cleaning ? { baseLoss: cleaning.file } : {}) } };
  },
};

/** Scores the training files with the base (base-loss.ts), unless the job turned it off. */
async function cleanWithBase(ctx: StageContext, base: string): Promise<{ report: BaseLossReport; file: string } | null> {
  if (ctx.job.baseLoss === false) return null;
  const thresholds = { ...BASE_LOSS_DEFAULTS, ...(ctx.job.baseLoss ?? {}) };
  const report = await scoreFilesWithBase(base, ctx.layout.datasetDir, ctx.dir, thresholds, ctx.signal, (m) => ctx.log(m));
  if (!report) {
    ctx.log("data cleaning with the base skipped: llama.cpp could not score with it; every file trains", "warn");
    return null;
  }
  ctx.log(describeBaseLoss(report));
  if (report.files.length > 0 && report.dropped === report.files.length) {
    ctx.log(`every scored file is above the ${thresholds.hopelessAbove} threshold: that says more about the threshold than the files, so all of them train`, "warn");
    return null;
  }
  return { report, file: join(ctx.dir, BASE_LOSS_FILE) };
}

export const sftStage: Stage = {
  name: "sft",
  totalSteps: (p) => p.steps.sft,
  inputs: ({ preset }) => ({ settings: { steps: preset.steps.sft, batch: preset.batchSize, lr: preset.learningRate, seed: RUN_SEED } }),
  async run(ctx) {
    const from = ctx.artifacts.pretrainModel;
    if (!from) return skipWithoutModel(ctx, "SFT needs the pretraining stage's model");
    // The files pretraining found hopeless or easy under the base are left out or thinned here too.
    const cleaning = ctx.artifacts.baseLoss ? readBaseLossReport(ctx.artifacts.baseLoss) : null;
    const outcome = await runSftStage({ from: { modelDir: from }, datasetDir: ctx.layout.datasetDir, outDir: ctx.dir, ...(cleaning ? { keepRecord: recordFilter(cleaning, RUN_SEED) } : {}) }, stageOptions(ctx).sft);
    for (const note of outcome.notes) ctx.log(note);
    throwIfStageCancelled(outcome.status);
    ctx.log(`loss ${outcome.train.firstLoss?.toFixed(3)} -> ${outcome.train.finalLoss?.toFixed(3)} over ${outcome.train.steps} steps (${outcome.examples} rows)`);
    return { artifacts: { sftModel: outcome.modelDir!, teacher: outcome.modelDir! } };
  },
};
