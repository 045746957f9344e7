// Stage "rl": reinforcement learning from the reward model the DPO stage trained (RLOO, see
// training/rl-training.ts), starting from the run's teacher (DPO's model, else SFT's), which
// stays frozen as the KL reference. The runner keeps the weights with the best held-out exact
// match, the start included: a model is written only when RL beat its start, and then it is
// the teacher that distillation and export take. Off when the preset gives it no steps (micro)
// or the run has no reward model.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../core/fs/atomic-write";
import { runRlStage } from "../training/rl-training";
import { throwIfCancelled, type Stage } from "../run/stage";
import { notOnAdapters, skipWithoutModel } from "./base-plan";
import { isAdapterFolder } from "../../core/formats/adapter-folder";
import { RUN_SEED, stageOptions, throwIfStageCancelled } from "./training-options";

/** Next to the stage's outputs: what RL did, read by the eval stage for the report's notes. */
export const RL_OUTCOME_FILE = "rl-outcome.json";

export interface RlOutcomeFile {
  steps: number;
  kept: "rl" | "start";
  note: string;
  metrics: Record<string, number>;
}

/** The note an rl-outcome.json carries; none when it cannot be read. */
export function readRlNote(file: string): string | null {
  try {
    const outcome = JSON.parse(readFileSync(file, "utf8")) as Partial<RlOutcomeFile>;
    return typeof outcome.note === "string" ? outcome.note : null;
  } catch {
    return null;
  }
}

export const rlStage: Stage = {
  name: "rl",
  totalSteps: (p) => p.steps.rl,
  inputs: ({ preset }) => ({ settings: { steps: preset.steps.rl, batch: preset.batchSize, evalItems: preset.evalItems, seed: RUN_SEED } }),
  async run(ctx) {
    // A cancel at the stage's start ends the run here, even when there would be nothing to do.
    throwIfCancelled(ctx.signal);
    if (ctx.preset.steps.rl <= 0) return { artifacts: {}, skippedReason: `the ${ctx.preset.name} preset has no RL steps` };
    const policyModelDir = ctx.artifacts.teacher ?? ctx.artifacts.dpoModel ?? ctx.artifacts.sftModel;
    if (!policyModelDir) return skipWithoutModel(ctx, "RL needs the DPO or SFT stage's model");
    if (isAdapterFolder(policyModelDir)) return { artifacts: {}, skippedReason: notOnAdapters("RL (RLOO)") };
    const rewardModelDir = ctx.artifacts.rewardModel;
    if (!rewardModelDir) return { artifacts: {}, skippedReason: "no reward model was trained (no preference pairs): nothing to learn from" };
    const options = stageOptions(ctx);
    const out = await runRlStage({ policyModelDir, rewardModelDir, datasetDir: ctx.layout.datasetDir, outDir: ctx.dir }, { ...options.rl, log: (m) => ctx.log(m) });
    for (const note of out.notes) ctx.log(note);
    throwIfStageCancelled(out.status);
    const h = out.heldout;
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    const m = out.train.metrics;
    ctx.log(
      `RL (RLOO) on ${out.examples} prompts, ${out.train.steps} steps${out.stoppedAtKl !== null ? ` (KL budget reached at step ${out.stoppedAtKl})` : ""}: ` +
        `objective/rlhf_reward ${m["objective/rlhf_reward"]?.toFixed(3)}, objective/kl ${m["objective/kl"]?.toFixed(3)}; ` +
        `EM on ${h.probes} probes of training files set apart (not the held-out ones) ${pct(h.startExactMatch)} at the start, best ${pct(h.bestExactMatch)} at step ${h.bestStep}`,
    );
    // What RL did, for the report: it has no rl row when the start was kept, and says why.
    const outcome = join(ctx.dir, RL_OUTCOME_FILE);
    const kept = out.modelDir ? `step ${h.bestStep}` : "the starting model";
    const summary: RlOutcomeFile = {
      steps: out.train.steps,
      kept: out.modelDir ? "rl" : "start",
      note: out.modelDir
        ? `RL (RLOO, ${out.train.steps} steps) raised validation EM on training files set apart from ${pct(h.startExactMatch)} to ${pct(h.bestExactMatch)}; ${kept} is the rl row and the teacher.`
        : `RL (RLOO, ${out.train.steps} steps${out.stoppedAtKl !== null ? `, stopped by the KL budget at step ${out.stoppedAtKl}` : ""}) did not raise validation EM on training files set apart above the starting model's ${pct(h.startExactMatch)}, so the starting model was kept and there is no rl row (mean reward ${m["objective/rlhf_reward"]?.toFixed(3) ?? "–"}, KL ${m["objective/kl"]?.toFixed(3) ?? "–"}).`,
      metrics: m,
    };
    writeFileAtomicSync(outcome, JSON.stringify(summary, null, 2) + "\n");
    // Not better than its start: no model written, the start stays the teacher.
    if (!out.modelDir) return { artifacts: { rlOutcome: outcome } };
    return { artifacts: { rlModel: out.modelDir, teacher: out.modelDir, rlOutcome: outcome } };
  },
};
