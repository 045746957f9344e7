// Stage "export": the student (and the teacher, for comparison) as GGUF files that
// llama.cpp serves. f16 halves the files and the memory llama.cpp maps, at no visible cost
// to completions.
import { join } from "node:path";
import { exportGguf } from "../../core/formats/gguf";
import { throwIfCancelled, type Stage } from "../run/stage";
import { skipWithoutModel } from "./base-plan";

export const exportStage: Stage = {
  name: "export",
  totalSteps: () => 2,
  inputs: () => ({ settings: { dtype: "f16" } }),
  async run(ctx) {
    const artifacts: Record<string, string> = {};
    const models = (["student", "teacher"] as const).filter((role) => ctx.artifacts[role]);
    if (!models.length) return skipWithoutModel(ctx, "nothing to export: no teacher or student checkpoint was made (run the training stages first)");
    let step = 0;
    for (const role of models) {
      throwIfCancelled(ctx.signal);
      const outPath = join(ctx.dir, `${role}.gguf`);
      const result = exportGguf({ checkpointDir: ctx.artifacts[role]!, outPath, dtype: "f16", name: `repotune-${role}` });
      for (const note of result.notes) ctx.log(note);
      ctx.log(`${role}: ${outPath} (${(result.bytes / 2 ** 20).toFixed(1)} MB, ${result.tensors} tensors)`);
      artifacts[`${role}Gguf`] = outPath;
      ctx.progress({ step: ++step, totalSteps: models.length, loss: 0, lr: 0, tokensPerSec: 0, etaSec: 0, rssMb: process.memoryUsage().rss / 2 ** 20, unit: `models (${(result.bytes / 2 ** 20).toFixed(1)} MB written)` });
    }
    throwIfCancelled(ctx.signal);
    return { artifacts };
  },
};
