// `repotune import DIR`: a model trained elsewhere (TRL on a cluster, say) becomes a model of
// this workspace: copied (or, for a LoRA adapter, merged onto its base), then an import run in
// the training worker evaluates it on the same held-out files as every run, beside its base,
// exports it for llama.cpp, and activates it only when it is better than what serves now.
import type { Command } from "commander";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ACTIVATION_POLICIES, BACKENDS, IMPORT_STAGES, PRESETS, type ActivationPolicy, type BackendName, type PresetName, type TrainingJob } from "../../core/protocol";
import { readActiveModel } from "../../core/runs/active-model";
import { importModelFolder, importSource } from "../../core/runs/imported-model";
import { readPeftConfig } from "../../core/formats/hf-export/peft-adapter-folder";
import { repotuneModelsFolder, resolveBase } from "../../hub";
import { defaultOutDir } from "./out-dir";
import { runTune } from "./tune";

interface ImportOptions {
  repo: string;
  out?: string;
  base?: string;
  preset: string;
  backend: string;
  activate: string;
  json?: boolean;
  maxHeapMb: string;
}

function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${what} "${value}" is not one of ${allowed.join(", ")}`);
  return value as T;
}

/** --base, else the base an adapter names (found on this machine), else the active model's base. */
function baseFor(dir: string, opts: ImportOptions, out: string): string | null {
  const resolveName = (name: string) => resolveBase(name, { folder: repotuneModelsFolder() }).path;
  if (opts.base) return resolveName(opts.base);
  const source = importSource(dir);
  if (source.kind === "adapter") {
    const named = readPeftConfig(source.dir).base_model_name_or_path;
    if (typeof named !== "string" || !named) return null;
    return existsSync(named) ? resolve(named) : resolveName(named);
  }
  return readActiveModel(out)?.base ?? null;
}

export function registerImport(program: Command): void {
  program
    .command("import <dir>")
    .description("import a model trained elsewhere (a Hugging Face folder, a TRL output folder, or a PEFT adapter): evaluated on the held-out files, exported, and served if it is better")
    .option("--repo <dir>", "the repository whose held-out files judge it", process.cwd())
    .option("--out <dir>", "the data folder (default: REPO/.repotune)")
    .option("--base <path|name>", "the base it was fine-tuned from: evaluated beside it, and what an adapter is merged onto (default: an adapter's base_model_name_or_path, else the active model's base)")
    .option("--preset <name>", `how many held-out probes to ask: those of ${PRESETS.join(", ")}`, "tiny")
    .option("--backend <name>", `evaluation backend: ${BACKENDS.join(", ")}`, "auto")
    .option("--activate <when>", `when it serves completions: ${ACTIVATION_POLICIES.join(", ")}`, "if-better")
    .option("--max-heap-mb <mb>", "heap limit of the worker", "4096")
    .option("--json", "print every event as one JSON line")
    .action(async (dir: string, opts: ImportOptions) => {
      const repo = resolve(opts.repo);
      if (!existsSync(repo)) throw new Error(`--repo ${repo} does not exist`);
      const out = resolve(opts.out ?? defaultOutDir(repo));
      const source = importSource(dir);
      const base = baseFor(dir, opts, out);
      const imported = importModelFolder(source.dir, out, source.kind === "adapter" ? base : null);
      if (!opts.json) process.stdout.write(`imported ${imported.kind === "adapter" ? `the adapter ${imported.source} merged onto ${imported.base}` : imported.source} as ${imported.dir}\n`);
      const job: TrainingJob = {
        repo,
        out,
        preset: oneOf<PresetName>("preset", opts.preset, PRESETS),
        backend: oneOf<BackendName>("backend", opts.backend, BACKENDS),
        stages: [...IMPORT_STAGES],
        resume: false,
        activate: oneOf<ActivationPolicy>("activate", opts.activate, ACTIVATION_POLICIES),
        imported: imported.dir,
        ...(base ? { base } : {}),
      };
      process.exitCode = await runTune(job, { json: !!opts.json, maxHeapMb: Number(opts.maxHeapMb) || 4096 });
    });
}
