// Stage "export": the student (and the teacher, for comparison) as GGUF files that
// llama.cpp serves. f16 halves the files and the memory llama.cpp maps, at no visible cost
// to completions.
import { join } from "node:path";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { adapterFolderToGguf, exportGguf } from "../../core/formats/gguf";
import { ADAPTER_WEIGHTS_FILE, adapterBasePath, isAdapterFolder } from "../../core/formats/adapter-folder";
import { isGgufFile } from "../../serve/model-gguf";
import { throwIfCancelled, type Stage, type StageContext } from "../run/stage";
import { skipWithoutModel } from "./base-plan";

/**
 * A LoRA model served as llama.cpp serves adapters: the base's own GGUF, by reference (a
 * Hugging Face base is exported once, f16, beside the adapters), and a GGUF adapter named by
 * its content, since node-llama-cpp caches adapters by path.
 */
function exportAdapters(ctx: StageContext, role: "student" | "teacher", folder: string): Record<string, string> {
  const base = adapterBasePath(folder);
  let baseGguf = base;
  if (!isGgufFile(base)) {
    baseGguf = join(ctx.dir, "base.gguf");
    const r = exportGguf({ checkpointDir: base, outPath: baseGguf, dtype: "f16", name: basename(base) });
    ctx.log(`base ${base} as ${baseGguf} (${(r.bytes / 2 ** 20).toFixed(1)} MB)`);
  }
  const id = createHash("sha256").update(readFileSync(join(folder, ADAPTER_WEIGHTS_FILE))).digest("hex").slice(0, 12);
  const lora = join(ctx.dir, `${role}-lora-${id}.gguf`);
  const r = adapterFolderToGguf(folder, baseGguf, lora);
  ctx.log(`${role}: LoRA adapter ${lora} (${(r.bytes / 2 ** 20).toFixed(1)} MB, ${r.tensors} tensors) over ${baseGguf}; its PEFT files are in ${folder}; one GGUF with the adapters merged in: repotune export --format gguf --merge --run ${folder} --out ${role}-merged.gguf`);
  return { [`${role}Gguf`]: baseGguf, [`${role}Lora`]: lora };
}

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
      if (isAdapterFolder(ctx.artifacts[role]!)) {
        Object.assign(artifacts, exportAdapters(ctx, role, ctx.artifacts[role]!));
        ctx.progress({ step: ++step, totalSteps: models.length, loss: 0, lr: 0, tokensPerSec: 0, etaSec: 0, rssMb: process.memoryUsage().rss / 2 ** 20, unit: "models (adapters written)" });
        continue;
      }
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
