// DPO on preference pairs (TRL's DPOTrainer, with its loss variants and logged names). The
// reference is the SFT model frozen: since the policy starts as that very model, its
// log-probs are computed once, by the policy, before the first step, and no second model is
// kept in memory. With fewer than 32 pairs from the editor, synthetic pairs are added (and
// said so): the truth at a line of a training file against the SFT model's own completion
// there. The same is done on held-out files for evaluation (heldout-preferences.jsonl).
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { PreferencePair } from "../../core/feedback/feedback-types";
import { datasetPaths, type HeldoutProbe, type SftRecord } from "../../core/store/dataset-files";
import { writeFileAtomicSync } from "../../core/fs/atomic-write";
import { type DpoOptions } from "../../engine/objectives";
import { readRecords } from "../../core/store/jsonl-reader";
import { HELDOUT_PREFERENCES_FILE, pairSplit } from "../data/heldout-data";
import { TfjsCompleter } from "../../engine/inference/tfjs-completer";
import { padIdOf } from "../../core/examples/encode-examples";
import { dpoLossFn, fillReferenceLogProbs, setReference } from "../../engine/loss-fns";
import { lineProbeFromFim, type LineProbe } from "../data/line-probes";
import type { StageOutcome } from "./lm-training";
import { loadModelDir, saveModelDir } from "../../engine/model-store/model-dir";
import type { LineCompleter } from "../../core/completion/completer";
import { openModel } from "../../engine/model-store/model-source";
import { encodePairs, PairRows } from "../../engine/data/pair-rows";
import { reservoirSample } from "../../core/random/sample";
import { llamaCompletionLogProbs, withLlamaScorer } from "../../serve/llama-passes";
import { MIN_REAL_PAIRS, syntheticPairs, type SyntheticPairStats } from "./synthetic-preferences";
import { dropCheckpoints, trainLoop, type TrainOptions } from "../../engine/train-loop";
import { mkdirPrivate } from "../../core/fs/private-files";
import { isAdapterFolder } from "../../core/formats/adapter-folder";
import { LlamaCompleter } from "../../serve/llama-completer";

export const SYNTHETIC_PREFERENCES_FILE = "synthetic-preferences.jsonl";

export interface DpoStageInputs {
  /** The SFT model: the policy's start and the frozen reference. */
  sftModelDir: string;
  /**
   * The model the run started from: held-out pairs reject its output, which DPO never trains
   * against (without it they reject a line from the same file only).
   */
  baseModelDir?: string;
  datasetDir: string;
  outDir: string;
}

export interface DpoStageOptions extends TrainOptions, Partial<DpoOptions> {
  seqLen: number;
  /** Below this many editor pairs, synthetic ones are added. Default 32. */
  minRealPairs?: number;
  /** Most synthetic training pairs to make (each costs one greedy completion). */
  syntheticPairs: number;
  /** Synthetic held-out pairs to make for evaluation (0: none). */
  heldoutPairs: number;
  /** Longest greedy completion when making synthetic pairs. */
  maxNewTokens: number;
  /**
   * Where the frozen reference's log-probs come from: llama.cpp on the SFT model's GGUF export
   * (default; tfjs when llama.cpp cannot), or the tfjs policy before its first step (the same model).
   */
  referenceEngine?: "llama" | "tfjs";
  log?: (message: string) => void;
}

export interface DpoOutcome extends StageOutcome {
  pairs: { editor: number; synthetic: number; heldoutSynthetic: number };
  synthetic: SyntheticPairStats | null;
  /** Files this stage wrote besides the model: synthetic training and held-out pairs. */
  files: { syntheticPairs: string | null; heldoutPairs: string | null };
  /** What computed the reference log-probs. */
  referenceEngine: "llama" | "tfjs";
}

/** Held-out pairs rejecting the base model's output, or a line from the same file where the base is right. */
async function heldoutPairs(baseModelDir: string | undefined, probes: readonly LineProbe[], o: { maxNewTokens: number; contextTokens: number; seed: number; signal?: AbortSignal }) {
  if (baseModelDir && isAdapterFolder(baseModelDir)) {
    // Adapters over a large base: its completions come from llama.cpp (tfjs decoding of a 0.5B
    // base would take minutes a pair).
    const llama = await LlamaCompleter.open(baseModelDir, { maxNewTokens: o.maxNewTokens });
    try {
      return await syntheticPairs(llama, probes, { seed: o.seed, signal: o.signal, rejectedBy: "base-model", elsewhere: "same-file" });
    } finally {
      await llama.dispose();
    }
  }
  const base = baseModelDir ? loadModelDir(baseModelDir) : undefined;
  try {
    const completer: LineCompleter = base ? new TfjsCompleter(base.model, base.tokenizer, { maxNewTokens: o.maxNewTokens, contextTokens: o.contextTokens }) : { complete: async () => ({ text: "", latencyMs: 0 }) };
    return await syntheticPairs(completer, probes, { seed: o.seed, signal: o.signal, rejectedBy: "base-model", elsewhere: "same-file" });
  } finally {
    base?.model.dispose();
  }
}

/** A whole pair file at once (atomically): it is a stage output, not a shared log. */
export function writePairs(path: string, pairs: readonly PreferencePair[]): void {
  writeFileAtomicSync(path, pairs.map((p) => JSON.stringify(p) + "\n").join(""));
}

export async function runDpoStage(inputs: DpoStageInputs, options: DpoStageOptions): Promise<DpoOutcome> {
  const log = options.log ?? (() => undefined);
  mkdirPrivate(inputs.outDir); // 0700: see core/fs/private-files.ts
  const opened = openModel({ modelDir: inputs.sftModelDir });
  const { model, tokenizer } = opened;
  const padId = padIdOf(tokenizer);
  const seqLen = Math.min(options.seqLen, model.config.max_position_embeddings);
  const lossType = options.lossType ?? "sigmoid";
  try {
    const paths = datasetPaths(inputs.datasetDir);
    const editor: PreferencePair[] = [];
    const isHeldout = pairSplit(inputs.datasetDir);
    for (const p of readRecords<PreferencePair>(paths.preferences)) {
      if (typeof p.prompt === "string" && typeof p.chosen === "string" && typeof p.rejected === "string" && !isHeldout(p)) editor.push(p);
    }
    const completer = new TfjsCompleter(model, tokenizer, { maxNewTokens: options.maxNewTokens, contextTokens: seqLen + 1 });
    let synthetic: PreferencePair[] = [];
    let stats: SyntheticPairStats | null = null;
    let syntheticFile: string | null = null;
    const minReal = options.minRealPairs ?? MIN_REAL_PAIRS;
    if (editor.length < minReal && options.syntheticPairs > 0) {
      const probes = reservoirSample(
        (function* () {
          for (const r of readRecords<SftRecord>(paths.sft)) {
            const probe = typeof r.prompt === "string" ? lineProbeFromFim(r) : null;
            if (probe) yield probe;
          }
        })(),
        options.syntheticPairs,
        options.seed,
      );
      // The policy's own completions: through llama.cpp for adapters over a base (the same model: its GGUF and adapter).
      const llamaPolicy = isAdapterFolder(inputs.sftModelDir) ? await LlamaCompleter.open(inputs.sftModelDir, { maxNewTokens: options.maxNewTokens }) : null;
      const made = await syntheticPairs(llamaPolicy ?? completer, probes, { seed: options.seed, signal: options.signal }).finally(() => llamaPolicy?.dispose());
      synthetic = made.pairs;
      stats = made.stats;
      syntheticFile = join(inputs.outDir, SYNTHETIC_PREFERENCES_FILE);
      writePairs(syntheticFile, synthetic);
      log(`${editor.length} preference pairs from the editor (fewer than ${minReal}): added ${synthetic.length} synthetic pairs (${stats.fromModel} against the SFT model's own completion, ${stats.fromElsewhere} against a line from elsewhere), source "synthetic"`);
    }
    let heldoutFile: string | null = null;
    let heldoutCount = 0;
    if (options.heldoutPairs > 0) {
      const probes: LineProbe[] = reservoirSample(readRecords<HeldoutProbe>(paths.heldout), options.heldoutPairs, options.seed + 7);
      // Never the policy's own output: DPO is trained to push exactly that down, so its held-out
      // accuracy on such pairs would be won before it is measured.
      const made = await heldoutPairs(inputs.baseModelDir, probes, { maxNewTokens: options.maxNewTokens, contextTokens: seqLen + 1, seed: options.seed + 7, signal: options.signal });
      heldoutFile = join(inputs.outDir, HELDOUT_PREFERENCES_FILE);
      writePairs(heldoutFile, made.pairs);
      heldoutCount = made.pairs.length;
    }
    const encoded = encodePairs(tokenizer, [...editor, ...synthetic], seqLen);
    const pairsInfo = { editor: editor.length, synthetic: synthetic.length, heldoutSynthetic: heldoutCount };
    // Cancelled while making pairs: not "no pairs" (which would end the stage as done).
    if (options.signal?.aborted) {
      return { status: "cancelled", modelDir: null, train: { status: "cancelled", steps: 0, firstLoss: null, finalLoss: null, metrics: {}, tokens: 0, seconds: 0 }, examples: encoded.length, notes: [], pairs: pairsInfo, synthetic: stats, files: { syntheticPairs: syntheticFile, heldoutPairs: heldoutFile }, referenceEngine: "tfjs" };
    }
    if (encoded.length === 0) {
      return {
        status: "completed",
        modelDir: null,
        train: { status: "completed", steps: 0, firstLoss: null, finalLoss: null, metrics: {}, tokens: 0, seconds: 0 },
        examples: 0,
        notes: ["no preference pairs: DPO skipped"],
        pairs: pairsInfo,
        synthetic: stats,
        files: { syntheticPairs: syntheticFile, heldoutPairs: heldoutFile },
        referenceEngine: "tfjs",
      };
    }
    let referenceEngine: "llama" | "tfjs" = "tfjs";
    const viaLlama =
      (options.referenceEngine ?? "llama") === "llama"
        ? await withLlamaScorer(
            inputs.sftModelDir,
            async (scorer) => ({
              chosen: await llamaCompletionLogProbs(scorer, encoded.map((p) => p.chosen), options.signal),
              rejected: await llamaCompletionLogProbs(scorer, encoded.map((p) => p.rejected), options.signal),
            }),
            log,
          )
        : null;
    if (viaLlama) {
      setReference(encoded, viaLlama.result.chosen, viaLlama.result.rejected, lossType);
      referenceEngine = "llama";
    } else await fillReferenceLogProbs(model, encoded, padId, lossType);
    const dpo: Partial<DpoOptions> = { beta: options.beta ?? 0.1, lossType, labelSmoothing: options.labelSmoothing ?? 0 };
    const train = await trainLoop(model.trainableVariables(), new PairRows(encoded, padId), dpoLossFn(model, dpo), { ...options, checkpointDir: join(inputs.outDir, "checkpoints") }, { config: opened.config, tokenizer: opened.tokenizerJson });
    let modelDir: string | null = null;
    if (train.status === "completed") {
      modelDir = join(inputs.outDir, "model");
      await saveModelDir(modelDir, model, tokenizer);
      dropCheckpoints(join(inputs.outDir, "checkpoints"));
      // `repotune eval --model DIR` finds the held-out pairs that go with this model.
      if (heldoutFile && existsSync(heldoutFile)) copyFileSync(heldoutFile, join(modelDir, HELDOUT_PREFERENCES_FILE));
    }
    return { status: train.status, modelDir, train, examples: encoded.length, notes: [], pairs: pairsInfo, synthetic: stats, files: { syntheticPairs: syntheticFile, heldoutPairs: heldoutFile }, referenceEngine };
  } finally {
    model.dispose();
  }
}
