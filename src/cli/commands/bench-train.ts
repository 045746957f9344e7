import type { Command } from "commander";
import { BACKENDS, type BackendName } from "../../core/protocol";
import { formatTrainBench, runTrainBench, type BenchConfigName } from "../../../bench/train";
import { MODEL_SHAPES, modelShape } from "../../../bench/model-shapes";

interface BenchTrainOptions {
  config: string;
  shape?: string;
  lora?: boolean;
  rank: string;
  batch: string;
  seq: string;
  backend: string;
  steps: string;
  json?: boolean;
  reference: boolean;
  decode: boolean;
  threads: string;
  workers?: string;
}

/** `repotune bench train`: tokens/s, GFLOP/s and peak RSS of training steps, against PyTorch in the same run. */
export function registerBenchTrain(bench: Command): void {
  bench
    .command("train")
    .description("tokens/s, GFLOP/s and peak memory of full training steps (forward, backward, AdamW), against PyTorch on this machine")
    .option("--config <A|B>", "A: 3.4M parameters, batch 8 x 256; B: 25M parameters, batch 4 x 256", "A")
    .option("--shape <name>", `a base's exact shape with random weights instead of --config: ${Object.keys(MODEL_SHAPES).join(", ")}`)
    .option("--lora", "train LoRA adapters (q/k/v/o and gate/up/down) over the frozen model, in PyTorch too")
    .option("--rank <r>", "LoRA rank (alpha is twice it, Refact's default for Qwen2.5-Coder)", "16")
    .option("--batch <n>", "rows per step with --shape", "1")
    .option("--seq <n>", "tokens per row with --shape", "256")
    .option("--backend <name>", `training backend: ${BACKENDS.join(", ")}`, "auto")
    .option("--steps <n>", "timed steps, after one warm-up step", "5")
    .option("--threads <n>", "threads PyTorch may use", "2")
    .option("--workers <n>", "data-parallel replica threads besides the main one (wasm; default: 1 on a machine with 2+ cores)")
    .option("--no-reference", "skip the PyTorch reference")
    .option("--no-decode", "skip the decoding measurement (config A)")
    .option("--json", "print the result as JSON")
    .action(async (opts: BenchTrainOptions) => {
      const config = opts.shape ? "shape" : opts.config.toUpperCase();
      if (config !== "A" && config !== "B" && config !== "shape") throw new Error(`--config must be A or B, got "${opts.config}"`);
      const positive = (v: string, flag: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${v}"`);
        return n;
      };
      const shape = opts.shape ? { config: modelShape(opts.shape), batchSize: positive(opts.batch, "--batch"), seqLen: positive(opts.seq, "--seq") } : undefined;
      const rank = positive(opts.rank, "--rank");
      const lora = opts.lora ? { r: rank, alpha: 2 * rank } : undefined;
      if (!(BACKENDS as readonly string[]).includes(opts.backend)) throw new Error(`--backend must be one of ${BACKENDS.join(", ")}`);
      const steps = Number(opts.steps);
      if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer, got "${opts.steps}"`);
      const result = await runTrainBench({
        config: config as BenchConfigName,
        ...(shape ? { shape } : {}),
        ...(lora ? { lora } : {}),
        backend: opts.backend as BackendName,
        steps,
        reference: opts.reference,
        decode: opts.decode && config === "A",
        referenceThreads: Number(opts.threads) || 2,
        ...(opts.workers !== undefined ? { workers: Number(opts.workers) } : {}),
        // Progress goes to stderr so --json output stays one parseable document.
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write((opts.json ? JSON.stringify(result, null, 2) : formatTrainBench(result)) + "\n");
    });
}
