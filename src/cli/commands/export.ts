// `repotune export --format gguf --run DIR --out FILE [--dtype f32|f16|q8_0]`: a Hugging Face
// checkpoint directory (config.json, model.safetensors, tokenizer.json) to one GGUF file that
// llama.cpp, LM Studio, Ollama and llama.vscode load. Other formats are not built yet (exit 3,
// as registerNotBuilt does).
import type { Command } from "commander";
import { exportDatasetFolder } from "../../core/formats/hf-dataset/export-dataset";
import { feedbackPaths } from "../../core/feedback/feedback-log";
import { DATASET_FOLDER } from "../../core/store/dataset-files";
import { defaultOutDir } from "./out-dir";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { exportGguf, type ExportDtype } from "../../core/formats/gguf";

interface ExportOptions {
  format: string;
  run?: string;
  out?: string;
  repo?: string;
  data?: string;
  dtype: string;
  name?: string;
  json?: boolean;
}

const isCheckpoint = (dir: string): boolean =>
  existsSync(join(dir, "config.json")) &&
  existsSync(join(dir, "tokenizer.json")) &&
  (existsSync(join(dir, "model.safetensors")) || existsSync(join(dir, "model.safetensors.index.json")));

/** The checkpoint a training root's latest.json names (src/engine/checkpoint writes it). */
function latestOf(root: string): string | undefined {
  try {
    const marker = JSON.parse(readFileSync(join(root, "latest.json"), "utf8")) as { format?: string; checkpoint?: unknown };
    if (marker.format !== "repotune-checkpoint-marker" || typeof marker.checkpoint !== "string" || /[\\/]|^\./.test(marker.checkpoint)) return undefined;
    const dir = join(root, marker.checkpoint);
    return isCheckpoint(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * DIR itself when it is a checkpoint; the latest one when DIR is a training root (latest.json);
 * else the one checkpoint found up to two levels below it (a run or stage folder holding one).
 * Several found is an error that lists them.
 */
export function findCheckpoint(dir: string): string {
  const root = resolve(dir);
  if (!existsSync(root)) throw new Error(`--run ${root} does not exist`);
  if (isCheckpoint(root)) return root;
  const latest = latestOf(root);
  if (latest) return latest;
  const found: string[] = [];
  const walk = (d: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return; // unreadable folders hold nothing we can export
    }
    for (const name of names) {
      const sub = join(d, name);
      if (!statSync(sub, { throwIfNoEntry: false })?.isDirectory()) continue;
      const picked = isCheckpoint(sub) ? sub : latestOf(sub);
      if (picked) found.push(picked);
      else if (depth > 1) walk(sub, depth - 1);
    }
  };
  walk(root, 2);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new Error(`${root} is not a checkpoint directory (config.json, model.safetensors, tokenizer.json) and holds none`);
  }
  throw new Error(`${root} holds ${found.length} checkpoints; pass one of them to --run: ${found.map((f) => relative(root, f)).join(", ")}`);
}

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("export a model checkpoint to GGUF for llama.cpp, or the gathered dataset and feedback as JSON Lines for Hugging Face datasets and TRL (Hugging Face model export: not built yet)")
    .requiredOption("--format <format>", "gguf or dataset")
    .option("--repo <dir>", "with --format dataset: the repository whose REPO/.repotune/dataset is exported", process.cwd())
    .option("--data <dir>", "with --format dataset: the data folder (default: REPO/.repotune)")
    .option("--run <dir>", "the checkpoint directory (or a run folder holding exactly one)")
    .option("--out <file>", "the GGUF file to write")
    .option("--dtype <type>", "weight type: f16 (half the size), q8_0 (a quarter, as llama.vscode serves) or f32 (exact)", "f16")
    .option("--name <name>", "the model name stored in the file (default: the checkpoint folder's name)")
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
      if (opts.format !== "gguf") {
        process.stderr.write(`repotune export: --format ${opts.format} is not built yet in this version of RepoTune (gguf and dataset are).\n`);
        process.exitCode = 3;
        return;
      }
      if (!opts.run || !opts.out) throw new Error("export --format gguf needs --run DIR and --out FILE");
      if (!["f16", "f32", "q8_0"].includes(opts.dtype)) throw new Error(`--dtype must be f16, q8_0 or f32, got "${opts.dtype}"`);
      const started = Date.now();
      const result = exportGguf({ checkpointDir: findCheckpoint(opts.run), outPath: resolve(opts.out), dtype: opts.dtype as ExportDtype, name: opts.name });
      const seconds = (Date.now() - started) / 1000;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ out: result.outPath, bytes: result.bytes, tensors: result.tensors, dtype: opts.dtype, seconds, notes: result.notes }) + "\n");
        return;
      }
      for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
      const c = result.config;
      process.stdout.write(
        `wrote ${result.outPath}: ${(result.bytes / 1e6).toFixed(1)} MB, ${result.tensors} tensors, ${opts.dtype}, ` +
          `qwen2 ${c.layers} layers x ${c.hiddenSize}, vocab ${c.vocabSize} (${seconds.toFixed(1)} s)\n`,
      );
    });
}
