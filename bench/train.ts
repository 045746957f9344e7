// `repotune bench train`: throughput of full training steps (forward, backward, AdamW) of the
// engine against the same steps in PyTorch on the same machine, in the same run, plus
// decoding speed with the KV cache. Figures, not pass/fail: bench/README.md records them.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type * as tfType from "@tensorflow/tfjs-core";
import { loadTf } from "../src/engine/backends/probe";
import { selectBackend, type BackendChoice } from "../src/engine/backends/select";
import { countParameters, makeQwen2Config, Qwen2Model, trainingFlopsPerToken, type LmBatch, type Qwen2Config } from "../src/engine/model";
import { AdamW } from "../src/engine/optim";
import { attachLora, DEFAULT_TARGET_MODULES, type LoraConfig } from "../src/engine/lora";
import { DataParallel } from "../src/engine/parallel/data-parallel";
import { seededRandom } from "../src/core/random/seeded-random";

export type BenchConfigName = "A" | "B" | "shape";

export interface BenchShape {
  config: Qwen2Config;
  batchSize: number;
  seqLen: number;
}

/** The two sizes of issue 4: A is the CPU default's scale, B the largest that must fit the wasm heap. */
export const BENCH_CONFIGS: Record<"A" | "B", BenchShape> = {
  A: {
    config: makeQwen2Config({ vocab_size: 2048, hidden_size: 256, intermediate_size: 688, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 1024 }),
    batchSize: 8,
    seqLen: 256,
  },
  B: {
    config: makeQwen2Config({ vocab_size: 4096, hidden_size: 512, intermediate_size: 1376, num_hidden_layers: 8, num_attention_heads: 8, num_key_value_heads: 4, max_position_embeddings: 1024 }),
    batchSize: 4,
    seqLen: 256,
  },
};

export interface StepTimes {
  /** Tokens per second of the median step (after warm-up). */
  tokensPerSec: number;
  /** Tokens per second of the fastest step. */
  bestTokensPerSec: number;
  gflops: number;
  stepMs: number[];
  /**
   * Tokens per CPU-second (all threads), median step: on a machine shared with other work
   * wall-clock rates swing with the load; this one much less, so it compares efficiency.
   */
  tokensPerCpuSec?: number;
  cpuMs?: number[];
}

export interface TrainBenchResult extends StepTimes {
  config: BenchConfigName;
  backend: string;
  device: string;
  /** Threads computing the engine's steps (1 + data-parallel replicas). */
  threads: number;
  parameters: number;
  batchSize: number;
  seqLen: number;
  steps: number;
  /** Peak resident memory of this process (the whole CLI, engine included, every thread). */
  peakRssMb: number;
  /** Size the main thread's wasm heap grew to (it never shrinks; the limit is 4096 MB). */
  wasmHeapMb?: number;
  losses: number[];
  reference: (StepTimes & { engine: string; threads: number; peakRssMb: number; losses: number[] }) | { error: string };
  /** tokensPerSec / reference.tokensPerSec (medians); null without a reference. */
  ratio: number | null;
  decode?: { promptTokens: number; newTokens: number; prefillMs: number; msPerToken: number };
  /** With --lora: the adapters' settings and trained parameters, and the tokens 10 minutes train at the median rate. */
  lora?: { r: number; alpha: number; targets: string[]; trainedParameters: number; tokensIn10Minutes: number };
}

export interface TrainBenchOptions {
  config: BenchConfigName;
  /** Another model and batch shape instead of the config's (a base's, --shape; tests use a tiny one). */
  shape?: BenchShape;
  /** Train LoRA adapters over the frozen model instead of every weight (PyTorch does the same); every projection unless targets are given. */
  lora?: Pick<LoraConfig, "r" | "alpha"> & Partial<LoraConfig>;
  backend: BackendChoice;
  /** Timed steps, after one warm-up step. */
  steps: number;
  /** Run the PyTorch reference (default true). */
  reference?: boolean;
  /** Measure decoding with the KV cache (default true for config A). */
  decode?: boolean;
  /**
   * Data-parallel replica threads besides the main one (wasm only). Default: one per extra
   * core, at most 1 (this bench's reference uses 2 threads).
   */
  workers?: number;
  /** Threads PyTorch may use (default 2: this machine's cores). */
  referenceThreads?: number;
  /** Reports progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function summarise(stepMs: number[], tokensPerStep: number, flopsPerToken: number, cpuMs?: number[]): StepTimes {
  const med = median(stepMs);
  const best = Math.min(...stepMs);
  const tokensPerSec = (tokensPerStep * 1000) / med;
  const cpu = cpuMs?.length ? { tokensPerCpuSec: (tokensPerStep * 1000) / median(cpuMs), cpuMs } : {};
  return { tokensPerSec, bestTokensPerSec: (tokensPerStep * 1000) / best, gflops: (tokensPerSec * flopsPerToken) / 1e9, stepMs, ...cpu };
}

/** Random token batches (seeded): the speed of a step does not depend on which tokens. */
export function benchBatches(shape: BenchShape, count: number, seed = 1): LmBatch[] {
  const rand = seededRandom(seed);
  const { batchSize: b, seqLen: t } = shape;
  const v = shape.config.vocab_size;
  return Array.from({ length: count }, () => {
    const rows = Array.from({ length: b }, () => Array.from({ length: t + 1 }, () => Math.floor(rand() * v)));
    const inputIds = new Int32Array(b * t);
    const targets = new Int32Array(b * t);
    rows.forEach((row, r) => {
      for (let i = 0; i < t; i++) {
        inputIds[r * t + i] = row[i]!;
        targets[r * t + i] = row[i + 1]!;
      }
    });
    return { batchSize: b, seqLen: t, inputIds, targets };
  });
}

function peakRssMb(): number {
  // maxRSS is in kilobytes on every platform Node supports.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function sync(tf: typeof tfType, model: Qwen2Model): Promise<void> {
  // GPU backends queue work: reading one value back waits for the step to finish.
  const first = model.params.values().next().value as tfType.Variable;
  const one = tf.tidy(() => tf.slice(tf.reshape(first, [-1]), 0, 1));
  await one.data();
  one.dispose();
}

function findReferenceScript(): string | undefined {
  // From the repository (npm run repotune / tsx) or next to the bundled CLI (out/cli.js).
  const candidates = [resolve(__dirname, "../../../bench/train_reference.py"), resolve(__dirname, "../bench/train_reference.py"), resolve(process.cwd(), "bench/train_reference.py")];
  return candidates.find((p) => existsSync(p));
}

export const REFERENCE_PYTHON = "/usr/bin/python3";

/**
 * A LoRA step computes the forward and the input gradients but no base weight gradient: about
 * 4 of full training's 6 FLOPs per parameter per token (the adapters' own products are tiny).
 */
const LORA_FLOP_SHARE = 4 / 6;

function runReference(shape: BenchShape, steps: number, threads: number, lora?: LoraConfig): TrainBenchResult["reference"] {
  const script = findReferenceScript();
  if (!script) return { error: "bench/train_reference.py not found (run from the RepoTune repository)" };
  if (!existsSync(REFERENCE_PYTHON)) return { error: `${REFERENCE_PYTHON} not found: apt-get install python3-torch libopenblas0-pthread` };
  const dir = mkdtempSync(join(tmpdir(), "repotune-bench-"));
  try {
    const spec = join(dir, "spec.json");
    writeFileSync(spec, JSON.stringify({ config: shape.config, batchSize: shape.batchSize, seqLen: shape.seqLen, steps, threads, ...(lora ? { lora: { r: lora.r, alpha: lora.alpha, targets: lora.targetModules } } : {}) }));
    const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
    const r = spawnSync(REFERENCE_PYTHON, [script, spec], { encoding: "utf8", env, maxBuffer: 16 << 20 });
    if (r.status !== 0) {
      const why = (r.stderr || r.error?.message || "").trim().split("\n").slice(-3).join(" ");
      return { error: `PyTorch reference failed: ${why}${/No module named 'torch'/.test(why) ? " (apt-get install python3-torch libopenblas0-pthread)" : ""}` };
    }
    const out = JSON.parse(r.stdout) as { stepMs: number[]; cpuMs: number[]; losses: number[]; peakRssMb: number; engine: string };
    const tokens = shape.batchSize * shape.seqLen;
    const flops = trainingFlopsPerToken(shape.config, shape.seqLen) * (lora ? LORA_FLOP_SHARE : 1);
    return { ...summarise(out.stepMs, tokens, flops, out.cpuMs), engine: out.engine, threads, peakRssMb: out.peakRssMb, losses: out.losses };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** ms per generated token with the KV cache after a 200-token prompt (greedy, batch 1). */
export function benchDecode(model: Qwen2Model, tf: typeof tfType, promptTokens = 200, newTokens = 64): NonNullable<TrainBenchResult["decode"]> {
  const rand = seededRandom(3);
  const prompt = Int32Array.from({ length: promptTokens }, () => Math.floor(rand() * model.config.vocab_size));
  const run = (): { prefillMs: number; msPerToken: number } => {
    const cache = model.newCache();
    const t0 = performance.now();
    const logits = model.decode({ batchSize: 1, seqLen: promptTokens, inputIds: prompt }, cache);
    let next = tf.tidy(() => tf.argMax(tf.reshape(tf.slice(logits, [0, promptTokens - 1, 0], [1, 1, -1]), [-1])).dataSync()[0]!);
    logits.dispose();
    const t1 = performance.now();
    for (let i = 0; i < newTokens; i++) {
      const l = model.decode({ batchSize: 1, seqLen: 1, inputIds: Int32Array.of(next) }, cache);
      next = tf.tidy(() => tf.argMax(tf.reshape(l, [-1])).dataSync()[0]!);
      l.dispose();
    }
    const t2 = performance.now();
    model.disposeCache(cache);
    return { prefillMs: t1 - t0, msPerToken: (t2 - t1) / newTokens };
  };
  run(); // warm-up: kernels and caches
  const runs = [run(), run()];
  const best = runs.reduce((a, b) => (a.msPerToken <= b.msPerToken ? a : b));
  return { promptTokens, newTokens, prefillMs: best.prefillMs, msPerToken: best.msPerToken };
}

export async function runTrainBench(options: TrainBenchOptions): Promise<TrainBenchResult> {
  const opts = { ...options, lora: options.lora ? { dropout: 0, targetModules: [...DEFAULT_TARGET_MODULES], ...options.lora } : undefined };
  const log = opts.log ?? (() => undefined);
  const shape = opts.shape ?? (opts.config === "shape" ? undefined : BENCH_CONFIGS[opts.config]);
  if (!shape) throw new Error("a --shape bench needs its model shape");
  const selected = await selectBackend(opts.backend);
  const tf = loadTf();
  log(`backend ${selected.backend} (${selected.device}): ${selected.reason}`);
  const model = Qwen2Model.create(shape.config, { seed: 0 });
  const adapters = opts.lora ? attachLora(model, opts.lora, { seed: 0 }) : undefined;
  const trained = adapters ? adapters.params : model.params;
  const optimizer = new AdamW(trained, { weightDecay: 0.1, beta2: 0.95 });
  const tokens = shape.batchSize * shape.seqLen;
  const flops = trainingFlopsPerToken(shape.config, shape.seqLen) * (adapters ? LORA_FLOP_SHARE : 1);
  const batches = benchBatches(shape, 2);
  // Replicas hold base weights only (data-parallel.ts): adapters train on this thread.
  const workers = selected.backend === "wasm" && !adapters ? (opts.workers ?? Math.min(1, availableParallelism() - 1)) : 0;
  let dp: DataParallel | undefined;
  if (workers > 0) {
    try {
      dp = await DataParallel.start(model, workers, "wasm");
    } catch (err) {
      // Still a useful figure on one thread; the log says why it is not on more.
      log(`data parallelism unavailable, measuring one thread: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (dp) log(`data parallel: ${dp.threads} threads (this one and ${workers} replica${workers > 1 ? "s" : ""}), batch rows split between them`);
  log(`config ${opts.config}: ${(countParameters(shape.config) / 1e6).toFixed(2)}M parameters${adapters ? `, LoRA r ${opts.lora!.r} on ${opts.lora!.targetModules.join(", ")} (${(countTrained(adapters.params) / 1e6).toFixed(2)}M trained)` : ""}, batch ${shape.batchSize} x ${shape.seqLen}, ${(flops / 1e6).toFixed(1)} MFLOP per token`);
  const stepMs: number[] = [];
  const cpuMs: number[] = [];
  const losses: number[] = [];
  for (let s = 0; s <= opts.steps; s++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const batch = batches[s % batches.length]!;
    const { loss, grads } = dp ? await dp.lossAndGrads(batch) : model.lossAndGrads(batch, adapters ? { variables: adapters.params } : {});
    optimizer.apply(grads, 1e-3);
    tf.dispose([...grads.values()]);
    await sync(tf, model);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    losses.push(loss);
    // Step 0 is warm-up: XNNPACK packs weights, the wasm heap grows.
    if (s > 0) {
      stepMs.push(ms);
      cpuMs.push((cpu.user + cpu.system) / 1000);
    }
    log(`step ${s}${s === 0 ? " (warm-up)" : ""}: ${ms.toFixed(0)} ms, ${((tokens * 1000) / ms).toFixed(0)} tokens/s, loss ${loss.toFixed(4)}, ${tf.memory().numTensors} tensors, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
  }
  const ours = summarise(stepMs, tokens, flops, cpuMs);
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.byteLength;
  await dp?.close();
  const decode = (opts.decode ?? opts.config === "A") ? benchDecode(model, tf) : undefined;
  if (decode) log(`decode: ${decode.msPerToken.toFixed(2)} ms/token after a ${decode.promptTokens}-token prompt (prefill ${decode.prefillMs.toFixed(0)} ms)`);
  optimizer.dispose();
  const trainedParameters = adapters ? countTrained(adapters.params) : 0;
  adapters?.dispose();
  model.dispose();
  const peak = peakRssMb();
  let reference: TrainBenchResult["reference"] = { error: "not run (--no-reference)" };
  if (opts.reference ?? true) {
    log(`PyTorch reference: ${opts.steps} steps with ${opts.referenceThreads ?? 2} threads...`);
    reference = runReference(shape, opts.steps, opts.referenceThreads ?? 2, opts.lora);
  }
  return {
    config: opts.config,
    backend: selected.backend,
    device: selected.device,
    threads: dp ? 1 + workers : 1,
    parameters: countParameters(shape.config),
    batchSize: shape.batchSize,
    seqLen: shape.seqLen,
    steps: opts.steps,
    ...ours,
    peakRssMb: peak,
    ...(heap ? { wasmHeapMb: Math.round(heap / 2 ** 20) } : {}),
    losses,
    reference,
    ratio: "tokensPerSec" in reference ? ours.tokensPerSec / reference.tokensPerSec : null,
    ...(decode ? { decode } : {}),
    ...(opts.lora ? { lora: { r: opts.lora.r, alpha: opts.lora.alpha, targets: opts.lora.targetModules, trainedParameters, tokensIn10Minutes: Math.round(ours.tokensPerSec * 600) } } : {}),
  };
}

function countTrained(params: ReadonlyMap<string, tfType.Variable>): number {
  let n = 0;
  for (const v of params.values()) n += v.size;
  return n;
}

export function formatTrainBench(r: TrainBenchResult): string {
  const lines = [
    `config ${r.config}: ${(r.parameters / 1e6).toFixed(2)}M parameters, batch ${r.batchSize} x ${r.seqLen}, ${r.steps} timed steps`,
    `RepoTune (tfjs ${r.backend}, ${r.device}${r.threads > 1 ? `, ${r.threads} data-parallel threads` : ""}): ${r.tokensPerSec.toFixed(0)} tokens/s median, ${r.bestTokensPerSec.toFixed(0)} best; ${r.gflops.toFixed(1)} GFLOP/s; ${r.tokensPerCpuSec?.toFixed(0)} tokens/CPU-s; peak RSS ${r.peakRssMb} MB${r.wasmHeapMb ? ` (wasm heap ${r.wasmHeapMb} MB of 4096)` : ""}`,
  ];
  if ("tokensPerSec" in r.reference) {
    const ref = r.reference;
    lines.push(`PyTorch (${ref.engine}, ${ref.threads} threads): ${ref.tokensPerSec.toFixed(0)} tokens/s median, ${ref.bestTokensPerSec.toFixed(0)} best; ${ref.gflops.toFixed(1)} GFLOP/s; ${ref.tokensPerCpuSec?.toFixed(0)} tokens/CPU-s; peak RSS ${ref.peakRssMb} MB`);
    lines.push(`ratio (RepoTune / PyTorch, medians): ${r.ratio!.toFixed(2)}x`);
  } else lines.push(`PyTorch reference: ${r.reference.error}`);
  if (r.lora) lines.push(`LoRA r ${r.lora.r}, alpha ${r.lora.alpha} on ${r.lora.targets.join(", ")}: ${(r.lora.trainedParameters / 1e6).toFixed(2)}M parameters trained; 10 minutes at this rate train ${(r.lora.tokensIn10Minutes / 1000).toFixed(0)}k tokens`);
  if (r.decode) lines.push(`decode (KV cache, ${r.decode.promptTokens}-token prompt): ${r.decode.msPerToken.toFixed(2)} ms/token, prefill ${r.decode.prefillMs.toFixed(0)} ms`);
  return lines.join("\n");
}
