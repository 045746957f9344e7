// Stage "eval": every model of the run on the held-out files (never trained on): exact
// match, edit similarity, preference accuracy, latency; report.json and report.md in the
// run's folder, an eval event per model and a few samples for the dashboard and the CLI.
import type { EvalRowName } from "../../core/protocol";
import { evaluateRun } from "../evaluation/evaluate-run";
import { readRlNote } from "./rl-stage";
import { describeBaseLoss, readBaseLossReport } from "../data/base-loss";
import { throwIfCancelled, type Stage } from "../run/stage";
import { RUN_SEED, stageOptions } from "./training-options";

const ROW_ARTIFACTS: Record<EvalRowName, string | undefined> = {
  // The model the run started from: its base (a GGUF file or a Hugging Face folder, evaluated
  // like the rest), or for a run made from scratch its pretrained model (see rowModels).
  base: "base",
  pretrain: "pretrainModel",
  sft: "sftModel",
  dpo: "dpoModel",
  rl: "rlModel",
  imported: "importedModel",
  student: "student",
};

/** Said in every report of a run without a base, with the way to get one. */
export const FROM_SCRATCH_NOTE =
  "This run trained a small model from scratch (no base model was chosen): expect weak completions. Start from a pretrained code model: `repotune models` lists the ones on this machine, `repotune models pull qwen2.5-coder-0.5b` downloads one, then `repotune tune --base NAME` (in VS Code: RepoTune: Choose base model).";

function importNote(artifacts: Readonly<Record<string, string>>): string {
  return `The imported model (${artifacts.importedModel}) was trained elsewhere and evaluated here on the same held-out files as every run${artifacts.base ? ", beside the base it was fine-tuned from" : "; no base was given (--base), so it is judged against the active model only"}.`;
}

/** What data cleaning with the base and RL did, for the report's notes, when they ran. */
function stageNotes(artifacts: Readonly<Record<string, string>>): string[] {
  const cleaning = artifacts.baseLoss ? readBaseLossReport(artifacts.baseLoss) : null;
  const rl = artifacts.rlOutcome ? readRlNote(artifacts.rlOutcome) : null;
  return [...(cleaning ? [describeBaseLoss(cleaning)] : []), ...(rl ? [rl] : [])];
}

function rowModels(artifacts: Readonly<Record<string, string>>): Partial<Record<EvalRowName, string>> {
  const models: Partial<Record<EvalRowName, string>> = {};
  for (const [row, key] of Object.entries(ROW_ARTIFACTS) as [EvalRowName, string | undefined][]) {
    const dir = key ? artifacts[key] : undefined;
    if (dir) models[row] = dir;
  }
  // Made from scratch, the run's starting point is its pretrained model: evaluated once, reported twice.
  if (!models.base && models.pretrain) models.base = models.pretrain;
  return models;
}

export const evalStage: Stage = {
  name: "eval",
  // One pass over the held-out probes per model: pretrain, SFT, DPO, student, and RL's when the
  // preset runs it (the live total, from the models the run really made, replaces this estimate).
  totalSteps: (p) => p.evalItems * (p.steps.rl > 0 ? 5 : 4),
  // The models by path: an import brings a new folder each time, which the chain of earlier
  // stages' hashes would not see.
  inputs: ({ preset, artifacts }) => ({ settings: { evalItems: preset.evalItems, seed: RUN_SEED, models: rowModels(artifacts) } }),
  async run(ctx) {
    const models = rowModels(ctx.artifacts);
    const rows = Object.keys(models) as EvalRowName[];
    const started = Date.now();
    const { report, files } = await evaluateRun(
      {
        models,
        rewardModelDir: ctx.artifacts.rewardModel,
        datasetDir: ctx.layout.datasetDir,
        // The stage's own folder: a later run that skips this stage still finds it (activate
        // copies it into each run's folder).
        outDir: ctx.dir,
        pairFiles: ctx.artifacts.heldoutPairs ? [ctx.artifacts.heldoutPairs] : [],
      },
      {
        ...stageOptions(ctx).eval,
        signal: ctx.signal,
        notes: [...(ctx.artifacts.importedModel ? [importNote(ctx.artifacts)] : ctx.artifacts.base ? [] : [FROM_SCRATCH_NOTE]), ...stageNotes(ctx.artifacts)],
        config: ctx.artifacts.importedModel
          ? { imported: ctx.artifacts.importedModel, base: ctx.artifacts.base ?? null, backend: ctx.backend }
          : { preset: ctx.preset.name, base: ctx.artifacts.base ?? null, teacher: ctx.artifacts.base ? "base" : ctx.preset.teacher, studentLayers: ctx.preset.studentLayers, steps: ctx.preset.steps, backend: ctx.backend },
        onProgress: (row, done, total) => {
          const perRow = ctx.preset.evalItems;
          const index = Math.max(0, rows.indexOf(row as EvalRowName));
          const step = index * perRow + Math.round((done / Math.max(1, total)) * perRow);
          const totalSteps = perRow * Math.max(1, rows.length);
          const elapsed = (Date.now() - started) / 1000;
          ctx.progress({ step, totalSteps, loss: 0, lr: 0, tokensPerSec: 0, etaSec: step ? (elapsed * (totalSteps - step)) / step : 0, rssMb: process.memoryUsage().rss / 2 ** 20, unit: `items (${row}: ${done}/${total} probes and pairs)` });
        },
      },
    );
    // An evaluation cut short is no report: nothing is kept as complete, nothing activated.
    throwIfCancelled(ctx.signal);
    for (const row of rows) {
      const s = report.stages[row];
      if (!s) continue;
      ctx.emit({ type: "eval", stage: "eval", metrics: { [`${row}/exactMatch`]: s.exactMatch, [`${row}/acceptedChars`]: s.acceptedChars, [`${row}/editSimilarity`]: s.editSimilarity, [`${row}/preferenceAccuracy`]: s.preferenceAccuracy, [`${row}/latencyMsP50`]: s.latencyMsP50 } });
    }
    if (report.rewardModel) ctx.emit({ type: "eval", stage: "eval", metrics: { "reward/preferenceAccuracy": report.rewardModel.preferenceAccuracy } });
    // Samples side by side: the truth, the teacher (RL, else DPO, else SFT) and the student at the same place.
    const teacherRow = report.samples.rl ? "rl" : report.samples.dpo ? "dpo" : "sft";
    for (const s of (report.samples.student ?? []).slice(0, 8)) {
      const teacher = report.samples[teacherRow]?.find((t) => t.path === s.path && t.line === s.line);
      ctx.emit({ type: "sample", stage: "eval", path: s.path, line: s.line, prefix: s.prefixTail, truth: s.truth, teacher: teacher?.prediction, student: s.prediction });
    }
    return { artifacts: { report: files.json, reportMd: files.md, evalItems: files.items } };
  },
};
