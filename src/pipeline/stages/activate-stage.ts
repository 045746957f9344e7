// Stage "activate": keeps this run's models in its own folder (hard links: no extra disk)
// so "Use this run's model" works after later runs, then points the folder's completions at
// the new student (OUT/active.json); the extension's completion host sees the file change.
import { copyFileSync, existsSync, linkSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeActiveModel } from "../../core/runs/active-model";
import type { Stage } from "../run/stage";

function keep(source: string, target: string): void {
  rmSync(target, { force: true });
  try {
    linkSync(source, target);
  } catch {
    copyFileSync(source, target); // another file system, or no hard links there
  }
}

export const activateStage: Stage = {
  name: "activate",
  // Always: activation belongs to this run even when the model is unchanged.
  alwaysRun: true,
  totalSteps: () => 1,
  inputs: () => ({ settings: {} }),
  async run(ctx) {
    const artifacts: Record<string, string> = {};
    for (const role of ["student", "teacher"] as const) {
      const exported = ctx.artifacts[`${role}Gguf`];
      if (!exported) continue;
      const kept = join(ctx.layout.runDir, `${role}.gguf`);
      keep(exported, kept);
      artifacts[`${role}Gguf`] = kept;
    }
    // The evaluation belongs to every run that ends with these models, also when it was skipped.
    for (const [key, name] of [["report", "report.json"], ["reportMd", "report.md"]] as const) {
      const source = ctx.artifacts[key];
      if (source && existsSync(source)) copyFileSync(source, join(ctx.layout.runDir, name));
    }
    const role = artifacts.studentGguf ? "student" : "teacher";
    const gguf = artifacts[`${role}Gguf`];
    if (!gguf) throw new Error("no GGUF model to activate: the export stage made none");
    writeActiveModel(ctx.layout.out, { gguf, runId: ctx.layout.runId, role });
    ctx.log(`completions now come from the ${role} (${gguf})`);
    ctx.progress({ step: 1, totalSteps: 1, loss: 0, lr: 0, tokensPerSec: 0, etaSec: 0, rssMb: process.memoryUsage().rss / 2 ** 20 });
    return { artifacts: { ...artifacts, activeModel: gguf } };
  },
};
