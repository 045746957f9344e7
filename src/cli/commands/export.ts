// `repotune export`: a model to GGUF (llama.cpp, LM Studio, Ollama, llama.vscode) or to a
// Hugging Face model folder with its card (transformers, PEFT, TRL), and the gathered data
// and feedback as a Hugging Face dataset.
import type { Command } from "commander";
import { basename } from "node:path";
import { exportHf, type HfExportOptions } from "../../core/formats/hf-export/export-hf";
import { writeHfModelFolder, type HfExportDtype } from "../../core/formats/hf-export/write-model-folder";
import { exportTrlFolder } from "../../core/formats/trl/export-trl";
import { DEFAULT_MODEL_FOLDER } from "../../core/formats/trl/trl-settings";
import { runArtifacts } from "../../core/runs/run-artifacts";
import { locateRun } from "../../core/runs/run-layout";
import { trlSourceFromRun } from "../../core/runs/trl-source";
import { findCheckpoint } from "../../core/runs/find-checkpoint";
import { chooseRunModel, MODEL_ROLES, type ModelRole, type RunModelChoice } from "../../core/runs/run-model-choice";
import { guessHubId } from "../../core/formats/hub-id";
import { exportDatasetFolder } from "../../core/formats/hf-dataset/export-dataset";
import { feedbackPaths } from "../../core/feedback/feedback-log";
import { DATASET_FOLDER } from "../../core/store/dataset-files";
import { defaultOutDir } from "./out-dir";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { adapterFolderToGguf, exportGguf, mergedAdapterToGguf, type ExportDtype } from "../../core/formats/gguf";
import { adapterBasePath, isAdapterFolder } from "../../core/formats/adapter-folder";
import { isGgufFile } from "../../serve/model-gguf";

interface ExportOptions {
  format: string;
  run?: string;
  out?: string;
  repo?: string;
  data?: string;
  dtype?: string;
  model: string;
  name?: string;
  merge?: boolean;
  json?: boolean;
}

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("export a model to GGUF for llama.cpp, or to a Hugging Face model folder with its card (and PEFT adapter) for transformers and TRL, or the gathered dataset and feedback as JSON Lines for Hugging Face datasets")
    .requiredOption("--format <format>", "gguf, hf, trl (datasets, scripts and launch configurations for TRL + accelerate on a GPU machine or cluster) or dataset")
    .option("--repo <dir>", "with --format dataset: the repository whose REPO/.repotune/dataset is exported", process.cwd())
    .option("--data <dir>", "with --format dataset: the data folder (default: REPO/.repotune)")
    .option("--run <dir>", "a run folder (OUT/runs/ID), a data folder (its latest run), or a checkpoint directory")
    .option("--model <role>", `with --format hf and a run: which of its models (${MODEL_ROLES.join(", ")})`, "teacher")
    .option("--out <path>", "the GGUF file, or the folder, to write")
    .option("--dtype <type>", "weights: gguf f16 (default), q8_0 or f32; hf bf16 (default), f16 or f32 (exact)")
    .option("--name <name>", "the model name stored in the file (default: the checkpoint folder's name)")
    .option("--merge", "with --format gguf and a LoRA adapter folder: one GGUF with the adapters merged into the base, instead of the adapter file")
    .option("--json", "print the result as JSON")
    .action((opts: ExportOptions) => {
      if (opts.format === "dataset") {
        if (!opts.out) throw new Error("export --format dataset needs --out DIR");
        const data = resolve(opts.data ?? defaultOutDir(resolve(opts.repo ?? process.cwd())));
        const events = feedbackPaths(data).events;
        const r = exportDatasetFolder({ datasetDir: join(data, DATASET_FOLDER), ...(existsSync(events) ? { feedbackEvents: events } : {}), outDir: resolve(opts.out) });
        if (opts.json) process.stdout.write(`${JSON.stringify({ out: r.out, configs: r.configs })}\n`);
        else {
          for (const c of r.configs) {
            const left = c.skipped.corrupt + c.skipped.wrongShape + c.skipped.secret;
            process.stdout.write(`${c.file}: ${c.rows} rows${left ? `, ${left} left out (${c.skipped.corrupt} corrupt, ${c.skipped.wrongShape} of the wrong shape, ${c.skipped.secret} holding a secret)` : ""}\n`);
          }
          process.stdout.write(`card: ${join(r.out, "README.md")}; load with datasets.load_dataset("json", data_files="${join(r.out, "data", "sft.jsonl")}")\n`);
        }
        return;
      }
      if (opts.format === "hf") return exportHfCommand(opts);
      if (opts.format === "trl") return exportTrlCommand(opts);
      if (opts.format !== "gguf") throw new Error(`--format must be gguf, hf, trl or dataset, got "${opts.format}"`);
      if (!opts.run || !opts.out) throw new Error("export --format gguf needs --run DIR and --out FILE");
      const dtype = opts.dtype ?? "f16";
      if (!["f16", "f32", "q8_0"].includes(dtype)) throw new Error(`--dtype must be f16, q8_0 or f32 for gguf, got "${dtype}"`);
      const started = Date.now();
      if (isAdapterFolder(resolve(opts.run)) && opts.merge) {
        // One file, base and adapters merged, for tools that take no adapter.
        const r = mergedAdapterToGguf(resolve(opts.run), resolve(opts.out), dtype as ExportDtype, opts.name);
        process.stdout.write(opts.json ? `${JSON.stringify({ out: r.outPath, bytes: r.bytes, tensors: r.tensors, dtype, merged: r.merged })}\n` : `wrote ${r.outPath}: ${(r.bytes / 1e6).toFixed(1)} MB, ${r.tensors} tensors, ${dtype}, with ${r.merged} adapted weights merged in (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
        return;
      }
      if (isAdapterFolder(resolve(opts.run))) {
        // A LoRA model: the adapter as llama.cpp loads it, over the base left where it is.
        const base = adapterBasePath(resolve(opts.run));
        if (!isGgufFile(base)) throw new Error(`${opts.run} adapts ${base}, a Hugging Face folder: add --merge for one GGUF with the adapters merged in, or export the base to GGUF first (repotune export --format gguf --run ${base} --out BASE.gguf) and use llama.cpp's --lora with this run's teacher-lora.gguf`);
        const r = adapterFolderToGguf(resolve(opts.run), base, resolve(opts.out));
        process.stdout.write(opts.json ? `${JSON.stringify({ out: r.outPath, bytes: r.bytes, tensors: r.tensors, lora: true, base })}\n` : `wrote ${r.outPath}: a LoRA adapter (${r.tensors} tensors, ${(r.bytes / 2 ** 20).toFixed(1)} MB) over ${base}; llama.cpp: -m ${base} --lora ${r.outPath}\n`);
        return;
      }
      const result = exportGguf({ checkpointDir: findCheckpoint(opts.run), outPath: resolve(opts.out), dtype: dtype as ExportDtype, name: opts.name });
      const seconds = (Date.now() - started) / 1000;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ out: result.outPath, bytes: result.bytes, tensors: result.tensors, dtype, seconds, notes: result.notes }) + "\n");
        return;
      }
      for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
      const c = result.config;
      process.stdout.write(
        `wrote ${result.outPath}: ${(result.bytes / 1e6).toFixed(1)} MB, ${result.tensors} tensors, ${dtype}, ` +
          `qwen2 ${c.layers} layers x ${c.hiddenSize}, vocab ${c.vocabSize} (${seconds.toFixed(1)} s)\n`,
      );
    });
}

function hfOptions(choice: RunModelChoice, outDir: string, dtype: HfExportDtype): HfExportOptions {
  return {
    checkpointDir: choice.checkpointDir,
    outDir,
    dtype,
    role: choice.role,
    row: choice.row,
    reportPath: choice.reportPath,
    manifestPath: choice.manifestPath,
    basePath: choice.basePath,
    baseModelId: choice.basePath ? (guessHubId(choice.basePath)?.id ?? null) : null,
    repoName: choice.repoName,
  };
}

/**
 * The TRL folder: datasets, scripts, configurations and settings.json; the run's models go in
 * with it where the scripts need them: the reward model for RLOO, the student for GKD, and the
 * teacher when the run had no base a cluster could download by name.
 */
function exportTrlCommand(opts: ExportOptions): void {
  if (!opts.run || !opts.out) throw new Error("export --format trl needs --run DIR (a run folder, or a data folder for its latest run) and --out DIR");
  const out = resolve(opts.out);
  const dtype = (opts.dtype ?? "bf16") as HfExportDtype;
  if (!["bf16", "f16", "f32"].includes(dtype)) throw new Error(`--dtype must be bf16, f16 or f32 for trl, got "${dtype}"`);
  const { out: data, runId } = locateRun(opts.run);
  const artifacts = runArtifacts(data, runId) ?? {};
  const models: { model?: string; rewardModel?: string; student?: string } = {};
  if (trlSourceFromRun(opts.run).settings.model === DEFAULT_MODEL_FOLDER) {
    exportHf(hfOptions(chooseRunModel(opts.run, "teacher"), join(out, "model"), dtype));
    models.model = "./model";
  }
  if (artifacts.student && existsSync(artifacts.student)) {
    exportHf(hfOptions(chooseRunModel(opts.run, "student"), join(out, "student"), dtype));
    models.student = "./student";
  }
  if (artifacts.rewardModel && existsSync(join(artifacts.rewardModel, "score.safetensors"))) {
    writeHfModelFolder(findCheckpoint(artifacts.rewardModel), join(out, "reward-model"), dtype, null, { weightsFile: join(artifacts.rewardModel, "score.safetensors"), architecture: "Qwen2ForSequenceClassification" });
    models.rewardModel = "./reward-model";
  }
  const source = trlSourceFromRun(opts.run, models);
  const r = exportTrlFolder({ datasetDir: source.datasetDir, ...(source.feedbackEvents ? { feedbackEvents: source.feedbackEvents } : {}), outDir: out, settings: source.settings });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ out: r.out, settings: r.settingsFile, files: r.files, configs: r.dataset.configs, ...models })}\n`);
    return;
  }
  process.stdout.write(
    `wrote ${r.out}: ${r.files.length} scripts and configurations, settings.json, the dataset (${r.dataset.configs.map((c) => `${c.config} ${c.rows}`).join(", ")})` +
      `${Object.keys(models).length ? `, and ${Object.entries(models).map(([k, v]) => `${k} ${v}`).join(", ")}` : ""}\n` +
      `  start from: ${source.settings.model}; see ${join(r.out, "README.md")} to launch it (accelerate launch, Slurm) and bring the result back with repotune import\n`,
  );
}

function exportHfCommand(opts: ExportOptions): void {
  if (!opts.run || !opts.out) throw new Error("export --format hf needs --run DIR (a run, a data folder or a checkpoint) and --out DIR");
  const dtype = opts.dtype ?? "bf16";
  if (!["bf16", "f16", "f32"].includes(dtype)) throw new Error(`--dtype must be bf16, f16 or f32 for hf, got "${dtype}"`);
  if (!(MODEL_ROLES as readonly string[]).includes(opts.model)) throw new Error(`--model must be one of ${MODEL_ROLES.join(", ")}, got "${opts.model}"`);
  const started = Date.now();
  const choice = chooseRunModel(opts.run, opts.model as ModelRole);
  const r = exportHf(hfOptions(choice, resolve(opts.out), dtype as HfExportDtype));
  const seconds = (Date.now() - started) / 1000;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ out: r.model.dir, files: r.model.files, bytes: r.model.bytes, tensors: r.model.tensors, dtype, role: choice.role, checkpoint: choice.checkpointDir, adapter: r.adapter?.dir ?? null, card: r.card, notes: r.notes, seconds })}\n`);
    return;
  }
  for (const note of r.notes) process.stderr.write(`note: ${note}\n`);
  const c = r.model.config;
  process.stdout.write(
    `wrote ${r.model.dir}: ${r.model.architecture.hfClass} ${c.num_hidden_layers} layers x ${c.hidden_size}, ${(r.model.bytes / 1e6).toFixed(1)} MB in ${dtype} (${seconds.toFixed(1)} s), the ${choice.role} of ${choice.runDir ? basename(choice.runDir) : choice.checkpointDir}\n` +
      (r.adapter ? `  PEFT adapter: ${r.adapter.dir} (rank ${r.adapter.settings.r})\n` : "") +
      `  model card: ${r.card}${choice.reportPath ? "" : " (no evaluation found: export a run folder to include one)"}\n`,
  );
}
