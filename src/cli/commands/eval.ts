// `repotune eval --model DIR|FILE.gguf [--data DIR] [--json]`: one model (a run's, or a base) on the held-out set (line
// completion exact match and edit similarity, preference accuracy, median latency), the same
// evaluation a run's report has per stage.
import type { Command } from "commander";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DEFAULT_COMPLETION_SETTINGS } from "../../core/completion/context";
import { DATASET_FOLDER, DATASET_FILES } from "../../core/store/dataset-files";
import { resolveBackend } from "../../pipeline/run/resolve-backend";
import { HELDOUT_PREFERENCES_FILE, loadEvalSet } from "../../pipeline/data/heldout-data";
import { evaluateModel } from "../../pipeline/evaluation/evaluate-model";
import { openEvaluator, type EvalEngine } from "../../pipeline/evaluation/open-evaluator";
import { isGgufFile } from "../../serve/model-gguf";

interface EvalOptions {
  model: string;
  data?: string;
  json?: boolean;
  probes: string;
  pairs: string;
  maxTokens: string;
  backend: string;
  engine: string;
  seed: string;
}

function positiveInt(name: string, value: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

const isDataset = (dir: string) => existsSync(join(dir, DATASET_FILES.heldout));

/**
 * The dataset a model was trained from: a `dataset/` folder beside one of the model's parent
 * folders (OUT/dataset for OUT/stages/sft/model), else ./.repotune/dataset.
 */
export function findDatasetFor(modelDir: string, cwd = process.cwd()): string | undefined {
  for (let dir = resolve(modelDir); ; dir = dirname(dir)) {
    if (isDataset(join(dir, DATASET_FOLDER))) return join(dir, DATASET_FOLDER);
    if (dirname(dir) === dir) break;
  }
  const local = join(cwd, ".repotune", DATASET_FOLDER);
  return isDataset(local) ? local : undefined;
}

const pct = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(1)}%`);
/** A 95% interval as "[low, high]", scaled (100 for fractions shown as percent). */
const ci = (interval: [number, number] | null, scale: number) => (interval ? `[${(scale * interval[0]).toFixed(1)}, ${(scale * interval[1]).toFixed(1)}]` : "");

export function registerEval(program: Command): void {
  program
    .command("eval")
    .description("evaluate a model on held-out files: exact match, edit similarity, preference accuracy, latency")
    .requiredOption("--model <dir>", "a model folder (config.json, model.safetensors, tokenizer.json) or a base: a .gguf file or a Hugging Face folder")
    .option("--data <dir>", "the dataset folder with heldout.jsonl (default: the one the model's run used, or ./.repotune/dataset)")
    .option("--probes <n>", "held-out line completions to run, at most", "200")
    .option("--pairs <n>", "held-out preference pairs to score, at most", "200")
    .option("--max-tokens <n>", "longest completion, in tokens (the editor's default)", String(DEFAULT_COMPLETION_SETTINGS.maxTokens))
    .option("--engine <name>", "llama (the model's GGUF through llama.cpp, as completions are served) or tfjs", "llama")
    .option("--backend <name>", "tfjs backend when the engine is tfjs: auto, wasm, webgpu, tensorflow or cpu", "auto")
    .option("--seed <n>", "which probes, when there are more than --probes", "1234")
    .option("--json", "print the figures as JSON")
    .action(async (opts: EvalOptions) => {
      const modelDir = resolve(opts.model);
      if (!isGgufFile(modelDir) && !existsSync(join(modelDir, "config.json"))) throw new Error(`--model ${modelDir} is neither a .gguf file nor a model folder (no config.json)`);
      const data = opts.data ? resolve(opts.data) : findDatasetFor(modelDir);
      if (!data || !isDataset(data)) {
        throw new Error(`no held-out set: ${data ?? "no dataset found"} has no ${DATASET_FILES.heldout}; run repotune gather, or pass --data DIR`);
      }
      if (opts.engine !== "llama" && opts.engine !== "tfjs") throw new Error(`--engine must be llama or tfjs, got "${opts.engine}"`);
      let backend = "";
      // A tfjs backend is chosen only when tfjs runs: llama.cpp needs none, and probing costs seconds.
      const pickBackend = async () => {
        backend = (await resolveBackend(opts.backend)).backend;
      };
      const pairFiles = [join(modelDir, HELDOUT_PREFERENCES_FILE)].filter((f) => existsSync(f));
      const set = loadEvalSet(data, { maxProbes: positiveInt("probes", opts.probes, 0), maxPairs: positiveInt("pairs", opts.pairs, 0), seed: positiveInt("seed", opts.seed, 0), pairFiles });
      for (const w of set.warnings) process.stderr.write(`warning: ${w}\n`);
      const started = Date.now();
      const opened = await openEvaluator(modelDir, opts.engine as EvalEngine, positiveInt("max-tokens", opts.maxTokens), pickBackend);
      if (opened.fallback) process.stderr.write(`note: ${opened.fallback}\n`);
      const engine = opened.engine === "llama" ? "llama.cpp" : `tfjs ${backend}`;
      let result;
      try {
        const tty = !opts.json && process.stderr.isTTY;
        result = await evaluateModel(opened.evaluator, set.probes, set.pairs, {
          onItem: tty ? (done, total) => process.stderr.write(`\revaluating ${done}/${total}`) : undefined,
        });
        if (tty) process.stderr.write("\n");
      } finally {
        await opened.dispose();
      }
      const seconds = (Date.now() - started) / 1000;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ model: modelDir, data, engine, ...result.eval, pairSources: set.pairSources, seconds, samples: result.samples }, null, 2) + "\n");
        return;
      }
      const e = result.eval;
      process.stdout.write(
        [
          `model ${modelDir}`,
          `data  ${data} (${engine})`,
          `exact match          ${pct(e.exactMatch)} ${ci(e.exactMatchCi, 100)} of ${e.heldoutItems} held-out probes (${e.modes.line?.items ?? 0} line, ${e.modes.block?.items ?? 0} block)`,
          `accepted chars       ${pct(e.acceptedChars)} ${ci(e.acceptedCharsCi, 100)}`,
          `edit similarity      ${e.editSimilarity === null ? "–" : e.editSimilarity.toFixed(1)} ${ci(e.editSimilarityCi, 1)}`,
          `preference accuracy  ${pct(e.preferenceAccuracy)} of ${e.preferenceItems} pairs (${set.pairSources.editor} from the editor, ${set.pairSources.synthetic} synthetic)`,
          `latency p50          ${e.latencyMsP50 === null ? "–" : `${e.latencyMsP50.toFixed(0)} ms`}`,
          `(${seconds.toFixed(1)} s)`,
          "",
        ].join("\n"),
      );
      if (e.heldoutItems === 0) process.exitCode = 2;
    });
}
