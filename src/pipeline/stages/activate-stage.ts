// Stage "activate": keeps this run's models in its own folder (hard links: no extra disk)
// so "Use this run's model" works after later runs, then points the folder's completions at
// the new model (OUT/active.json) when the user's policy allows: by default only when it is
// better on the held-out probes than the model serving now (or than its base, for a first
// run). The extension's completion host sees the file change.
import { copyFileSync, existsSync, linkSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ActivationPolicy, EvalRowName } from "../../core/protocol";
import { servedRole } from "../evaluation/served-role";
import type { StageEval } from "../evaluation/types";
import { readActiveModel, writeActiveModel } from "../../core/runs/active-model";
import { writeFileAtomicSync } from "../../core/fs/atomic-write";
import { readEvalItems } from "../evaluation/eval-items";
import { judgeActivation } from "../evaluation/judge-activation";
import { throwIfCancelled, type Stage } from "../run/stage";
import { skipWithoutModel } from "./base-plan";

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
      const lora = ctx.artifacts[`${role}Lora`];
      if (lora) {
        // The base is the user's file, kept where it is; the run keeps its adapter.
        const kept = join(ctx.layout.runDir, `${role}-lora.gguf`);
        keep(lora, kept);
        artifacts[`${role}Gguf`] = exported;
        artifacts[`${role}Lora`] = kept;
        continue;
      }
      const kept = join(ctx.layout.runDir, `${role}.gguf`);
      keep(exported, kept);
      artifacts[`${role}Gguf`] = kept;
    }
    // The evaluation belongs to every run that ends with these models, also when it was skipped.
    for (const [key, name] of [["report", "report.json"], ["reportMd", "report.md"], ["evalItems", "eval-items.json"]] as const) {
      const source = ctx.artifacts[key];
      if (source && existsSync(source)) copyFileSync(source, join(ctx.layout.runDir, name));
    }
    // The student serves only when it keeps 90% of the teacher's exact match and is faster.
    const stages = artifacts.studentGguf && artifacts.teacherGguf ? readReportStages(ctx.artifacts.report) : null;
    const served = stages ? servedRole(stages) : null;
    if (served) ctx.log(`serves: the ${served.role} (${served.reason})`);
    const role = served ? served.role : artifacts.studentGguf ? "student" : "teacher";
    const gguf = artifacts[`${role}Gguf`];
    const lora = artifacts[`${role}Lora`];
    if (!gguf) {
      const skipped = skipWithoutModel(ctx, "no GGUF model to activate: the export stage made none");
      ctx.log(`nothing trained to activate; completions come from the base (${ctx.artifacts.base})`);
      return skipped;
    }
    throwIfCancelled(ctx.signal);

    const policy: ActivationPolicy = ctx.job.activate ?? "if-better";
    const active = readActiveModel(ctx.layout.out);
    const verdict =
      policy === "if-better"
        ? await judgeActivation({ candidate: { gguf, ...(lora ? { lora } : {}), role, items: ctx.artifacts.evalItems ? readEvalItems(ctx.artifacts.evalItems) : null }, active, runsDir: dirname(ctx.layout.runDir), signal: ctx.signal, log: (m) => ctx.log(m, "warn") })
        : { better: policy === "always", reason: policy === "always" ? "activated whatever it scored (activation policy: always)" : "not activated (activation policy: never)", against: "nothing" };
    throwIfCancelled(ctx.signal);
    const activated = policy === "always" || (policy === "if-better" && verdict.better);
    if (activated) {
      writeActiveModel(ctx.layout.out, { gguf, ...(lora ? { lora } : {}), runId: ctx.layout.runId, role, ...(ctx.artifacts.base ? { base: ctx.artifacts.base } : {}) });
      ctx.log(`completions now come from the ${role} (${gguf}${lora ? ` with the adapter ${lora}` : ""}): ${verdict.reason}`);
    } else {
      ctx.log(`done, not activated: ${verdict.reason}${active ? `; completions still come from run ${active.runId}` : ""}. Use this run's model anyway from the dashboard, or run again with --activate always.`, "warn");
    }
    recordActivation(join(ctx.layout.runDir, "report.json"), { activated, policy, reason: verdict.reason, against: verdict.against, role, ...(served ? { servedReason: served.reason } : {}) });
    ctx.emit({ type: "activation", activated, policy, reason: verdict.reason, runId: ctx.layout.runId });
    ctx.progress({ step: 1, totalSteps: 1, loss: 0, lr: 0, tokensPerSec: 0, etaSec: 0, rssMb: process.memoryUsage().rss / 2 ** 20, unit: activated ? "model activated" : "model kept, not activated" });
    return { artifacts: activated ? { ...artifacts, activeModel: gguf } : artifacts };
  },
};

/** The evaluated rows of the eval stage's report.json; null when it is missing or damaged (the student then serves, as the run's last model). */
function readReportStages(path: string | undefined): Partial<Record<EvalRowName, StageEval | null>> | null {
  if (!path || !existsSync(path)) return null;
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { stages?: Partial<Record<EvalRowName, StageEval | null>> }).stages ?? null;
  } catch {
    return null;
  }
}

/** report.json of the run's folder gains `activation`: what the dashboard and the CLI show. */
function recordActivation(reportPath: string, activation: { activated: boolean; policy: ActivationPolicy; reason: string; against: string; role: "student" | "teacher"; servedReason?: string }): void {
  if (!existsSync(reportPath)) return;
  try {
    const report = JSON.parse(readFileSync(reportPath, "utf8")) as Record<string, unknown>;
    writeFileAtomicSync(reportPath, JSON.stringify({ ...report, activation }, null, 2) + "\n");
  } catch {
    // A damaged report stays as it is: the activation event still says what happened.
  }
}
