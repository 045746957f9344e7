// Stage "distill": the student (the preset's layers, or half a base's, initialised from the
// teacher's: a LoRA teacher's with its adapters merged in) learns from the teacher's softened
// distributions, computed once through llama.cpp and kept on disk (top-k) so the teacher is not
// in memory while the student trains.
import { runDistillStage } from "../training/distillation";
import type { Stage } from "../run/stage";
import { baseStudent, skipWithoutModel } from "./base-plan";
import { adapterBasePath, isAdapterFolder } from "../../core/formats/adapter-folder";
import { RUN_SEED, stageOptions, throwIfStageCancelled } from "./training-options";

export const distillStage: Stage = {
  name: "distill",
  totalSteps: (p) => p.steps.distill,
  inputs: ({ preset }) => ({ settings: { steps: preset.steps.distill, studentLayers: preset.studentLayers, batch: preset.batchSize, lr: preset.learningRate, seed: RUN_SEED } }),
  async run(ctx) {
    const teacherDir = ctx.artifacts.teacher;
    if (!teacherDir) return skipWithoutModel(ctx, "distillation needs a teacher model (the DPO or SFT stage's)");
    // A LoRA teacher (base + adapters): the student is half its layers at its width, taken from
    // the merged weights and trained whole, when that fits this backend; else the teacher serves.
    let studentLayers = ctx.preset.studentLayers;
    if (isAdapterFolder(teacherDir)) {
      const student = baseStudent(adapterBasePath(teacherDir), ctx.backend);
      if (student.problem) return { artifacts: {}, skippedReason: student.problem };
      studentLayers = student.layers;
    }
    let teacherPassReported = 0;
    const outcome = await runDistillStage(
      { teacherDir, datasetDir: ctx.layout.datasetDir, outDir: ctx.dir },
      {
        ...stageOptions(ctx).distill,
        studentLayers,
        log: (m) => ctx.log(m),
        onTeacherProgress: (done, total) => {
          const now = Date.now();
          if (now - teacherPassReported < 10_000 && done < total) return;
          teacherPassReported = now;
          ctx.log(`teacher pass: ${done}/${total} rows`);
        },
      },
    );
    for (const note of outcome.notes) ctx.log(note);
    throwIfStageCancelled(outcome.status);
    ctx.log(`student loss ${outcome.train.firstLoss?.toFixed(3)} -> ${outcome.train.finalLoss?.toFixed(3)} over ${outcome.train.steps} steps`);
    return { artifacts: { student: outcome.modelDir!, teacher: teacherDir } };
  },
};
