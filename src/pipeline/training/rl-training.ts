// The RL stage's runner: RLOO (engine/objectives/rloo.ts) from the run's reward model, with the
// starting model (DPO's, or SFT's) frozen as the KL reference. Guarded against reward hacking
// three ways: the KL penalty in the reward, a KL budget that ends the stage once the policy's
// mean KL to the reference passes it, and a per-token length penalty; and whatever the reward
// says, the model kept is the one with the best held-out exact match, checked every few steps
// (the starting model included, so RL that only pleases the reward model changes nothing).
import { join } from "node:path";
import { datasetPaths, type SftRecord } from "../../core/store/dataset-files";
import { readRecords } from "../../core/store/jsonl-reader";
import { reservoirSample } from "../../core/random/sample";
import { encodeFim, padIdOf, specialIds } from "../../core/examples/encode-examples";
import { exactMatch } from "../../core/completion/metrics";
import { mkdirPrivate } from "../../core/fs/private-files";
import { greedyComplete } from "../../engine/inference/greedy";
import { rlooLossFn } from "../../engine/loss-fns";
import { openModel } from "../../engine/model-store/model-source";
import { loadModelDir, saveModelDir } from "../../engine/model-store/model-dir";
import type { Qwen2Model } from "../../engine/model";
import { loadRewardModel } from "../../engine/reward/reward-model";
import { RlRows } from "../../engine/rl/rl-rows";
import { WeightSnapshot } from "../../engine/rl/weight-snapshot";
import type { RlooOptions } from "../../engine/objectives";
import type { Tokenizer } from "../../core/tokenizer";
import { trainLoop, type TrainOptions } from "../../engine/train-loop";
import { lineProbeFromFim, type LineProbe } from "../data/line-probes";
import type { StageOutcome } from "./lm-training";

export interface RlStageInputs {
  /** The policy's start and the frozen KL reference (the DPO model, or SFT's without one). */
  policyModelDir: string;
  /** The reward model (reward-training.ts's output: a model dir with score.safetensors). */
  rewardModelDir: string;
  datasetDir: string;
  outDir: string;
}

export interface RlStageOptions extends TrainOptions, Partial<Omit<RlooOptions, "k">> {
  /** Samples per prompt (TRL's rloo_k); batchSize counts prompts. */
  k: number;
  temperature: number;
  maxNewTokens: number;
  seqLen: number;
  /** Training prompts to draw from (line probes of SFT's FIM samples). */
  prompts: number;
  /** Mean KL (nats per sample) past which the stage stops early. */
  klBudget: number;
  /** Steps between EM checks on the validation probes (training files set apart, never held-out ones). */
  evalEvery: number;
  /** Held-out probes per check. */
  evalProbes: number;
  log?: (message: string) => void;
}

export interface RlOutcome extends StageOutcome {
  /** Held-out EM of the starting model and of the kept one, and the step kept (0: the start). */
  heldout: { startExactMatch: number; bestExactMatch: number; bestStep: number; probes: number };
  /** The step at which the KL budget ended the stage, or null. */
  stoppedAtKl: number | null;
}

/** Share of probes whose greedy line completion matches the truth (whitespace tokens, as eval). */
export function heldoutExactMatch(model: Qwen2Model, tokenizer: Tokenizer, probes: readonly LineProbe[], o: { seqLen: number; maxNewTokens: number }): number {
  if (probes.length === 0) return 0;
  const stops = new Set(Object.values(specialIds(tokenizer)).filter((v): v is number => typeof v === "number"));
  let hits = 0;
  for (const p of probes) {
    const prompt = encodeFim(tokenizer, p.prefix, p.suffix, o.seqLen - o.maxNewTokens);
    const out = greedyComplete(model, (ids) => tokenizer.decode(ids), prompt, { maxNewTokens: o.maxNewTokens, stopIds: stops, shouldStop: (t) => t.includes("\n") });
    if (exactMatch(out.text.split("\n")[0]!, p.target)) hits++;
  }
  return hits / probes.length;
}

export async function runRlStage(inputs: RlStageInputs, options: RlStageOptions): Promise<RlOutcome> {
  const log = options.log ?? (() => undefined);
  mkdirPrivate(inputs.outDir);
  const opened = openModel({ modelDir: inputs.policyModelDir });
  const { model, tokenizer } = opened;
  const reference = loadModelDir(inputs.policyModelDir).model;
  const reward = loadRewardModel(inputs.rewardModelDir);
  const best = new WeightSnapshot();
  try {
    if (reward.tokenizer.vocabSize !== tokenizer.vocabSize) throw new Error("the reward model's tokenizer is not the policy's");
    const seqLen = Math.min(options.seqLen, model.config.max_position_embeddings);
    const paths = datasetPaths(inputs.datasetDir);
    const pool = reservoirSample(
      (function* () {
        for (const r of readRecords<SftRecord>(paths.sft)) {
          const probe = typeof r.prompt === "string" ? lineProbeFromFim(r) : null;
          if (probe) yield probe;
        }
      })(),
      options.prompts + options.evalProbes,
      options.seed,
    );
    // The best checkpoint is chosen on probes of training files set apart from the prompts,
    // never on the held-out files: the eval stage reports on those, and a model picked by its
    // score there would be reported better than it is.
    const heldout: LineProbe[] = pool.slice(0, Math.min(options.evalProbes, Math.floor(pool.length / 4)));
    const probes = pool.slice(heldout.length);
    const emOpts = { seqLen, maxNewTokens: options.maxNewTokens };
    const startEm = heldoutExactMatch(model, tokenizer, heldout, emOpts);
    const none = { status: "completed" as const, steps: 0, firstLoss: null, finalLoss: null, metrics: {}, tokens: 0, seconds: 0 };
    if (probes.length === 0) {
      return { status: "completed", modelDir: null, train: none, examples: 0, notes: ["no training prompts: RL skipped"], heldout: { startExactMatch: startEm, bestExactMatch: startEm, bestStep: 0, probes: heldout.length }, stoppedAtKl: null };
    }
    const ids = specialIds(tokenizer);
    const stopIds = new Set(Object.values(ids).filter((v): v is number => typeof v === "number"));
    const prompts = probes.map((p) => encodeFim(tokenizer, p.prefix, p.suffix, seqLen - options.maxNewTokens));
    const padId = padIdOf(tokenizer);
    const data = new RlRows(prompts, model, reference, reward, {
      k: options.k,
      temperature: options.temperature,
      maxNewTokens: options.maxNewTokens,
      stopIds,
      shouldStop: (s) => tokenizer.decode(s.slice(-1)).includes("\n"),
      padId,
      seed: options.seed,
    });
    const rloo = { k: options.k, beta: options.beta ?? 0.05, lengthPenalty: options.lengthPenalty ?? 0 };
    // The KL budget ends the loop through its own signal, told apart from the user's cancel.
    const stop = new AbortController();
    const onUser = () => stop.abort();
    options.signal?.addEventListener("abort", onUser);
    let stoppedAtKl: number | null = null;
    let bestEm = startEm;
    let bestStep = 0;
    const params = model.trainableVariables();
    const train = await trainLoop(
      params,
      data,
      rlooLossFn(model, rloo),
      {
        ...options,
        signal: stop.signal,
        // On-policy samples cannot be replayed from a checkpoint: a cut-off RL stage starts over.
        resume: false,
        onProgress: (p) => {
          options.onProgress?.(p);
          const kl = p.metrics?.["objective/kl"];
          if (kl !== undefined && kl > options.klBudget && stoppedAtKl === null) {
            stoppedAtKl = p.step;
            log(`RL: mean KL ${kl.toFixed(3)} passed the budget of ${options.klBudget} at step ${p.step}: stopping`);
            stop.abort();
          }
          if (p.step % Math.max(1, options.evalEvery) === 0 || p.step === p.totalSteps || stoppedAtKl !== null) {
            const em = heldoutExactMatch(model, tokenizer, heldout, emOpts);
            log(`RL step ${p.step}: validation EM ${(100 * em).toFixed(1)}% (best ${(100 * bestEm).toFixed(1)}% at step ${bestStep})`);
            // Strictly better only: a tie keeps the earlier, closer-to-reference model.
            if (em > bestEm) {
              bestEm = em;
              bestStep = p.step;
              best.take(params);
            }
          }
        },
      },
    ).finally(() => options.signal?.removeEventListener("abort", onUser));
    const userCancelled = options.signal?.aborted === true;
    if (userCancelled) return { status: "cancelled", modelDir: null, train, examples: prompts.length, notes: [], heldout: { startExactMatch: startEm, bestExactMatch: bestEm, bestStep, probes: heldout.length }, stoppedAtKl };
    const notes: string[] = [];
    let modelDir: string | null = null;
    if (bestStep > 0) {
      best.restore(params);
      modelDir = join(inputs.outDir, "model");
      await saveModelDir(modelDir, model, tokenizer);
    } else notes.push(`RL did not raise validation EM (training files set apart) above the starting model's ${(100 * startEm).toFixed(1)}%: the starting model is kept`);
    return { status: "completed", modelDir, train: { ...train, status: "completed" }, examples: prompts.length, notes, heldout: { startExactMatch: startEm, bestExactMatch: bestEm, bestStep, probes: heldout.length }, stoppedAtKl };
  } finally {
    best.dispose();
    model.dispose();
    reference.dispose();
    reward.model.dispose();
    reward.head.dispose();
  }
}
