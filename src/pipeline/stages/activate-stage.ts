// Stage "activate": points the folder's completions at the new student (OUT/active.json);
// the extension's completion host sees the file change and restarts its server on it.
import { writeActiveModel } from "../../core/runs/active-model";
import type { Stage } from "../run/stage";

export const activateStage: Stage = {
  name: "activate",
  // Always: activation belongs to this run even when the model is unchanged.
  alwaysRun: true,
  totalSteps: () => 1,
  inputs: () => ({ settings: {} }),
  async run(ctx) {
    const role = ctx.artifacts.studentGguf ? "student" : "teacher";
    const gguf = ctx.artifacts[`${role}Gguf`];
    if (!gguf) throw new Error("no GGUF model to activate: the export stage made none");
    const active = writeActiveModel(ctx.layout.out, { gguf, runId: ctx.layout.runId, role });
    ctx.log(`completions now come from the ${role} (${gguf})`);
    ctx.progress({ step: 1, totalSteps: 1, loss: 0, lr: 0, tokensPerSec: 0, etaSec: 0, rssMb: process.memoryUsage().rss / 2 ** 20 });
    return { artifacts: { activeModel: active.gguf } };
  },
};
