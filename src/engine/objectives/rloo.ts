// REINFORCE leave-one-out (RLOO; Ahmadian et al. 2024, TRL's RLOOTrainer), as a pure function
// of per-sample sequence log-probs:
//   kl_i          = log pi(y_i) - log ref(y_i)            (sequence sums over completion tokens:
//                                                          TRL's per-sample estimate kl.sum(1))
//   rlhf_reward_i = score_i - beta kl_i - lengthPenalty len_i
//   a_i           = rlhf_reward_i - mean_{j != i, same prompt} rlhf_reward_j
//   loss          = -mean_i(a_i log pi(y_i))
// The rewards and advantages are constants (TRL computes them under no_grad): the gradient flows
// only through log pi(y_i) in the last line, which is the REINFORCE estimator with the
// leave-one-out baseline. TRL's clipped ratio form, -a exp(log pi - log pi_old) at the first
// update of a batch (log pi_old = log pi), has this same gradient; one update per batch is what
// this project runs, so the clip is left out.
//
// Layout: samples of one prompt are contiguous, [prompt 0: k samples, prompt 1: k samples, ...]
// (TRL reshapes to (k, prompts); the order differs, the arithmetic does not).
import * as tf from "@tensorflow/tfjs-core";

export interface RlooOptions {
  /** Samples per prompt; at least 2, or there is no "other" sample to be a baseline. */
  k: number;
  /** KL coefficient (TRL's kl_coef, default 0.05). */
  beta: number;
  /** Subtracted from the reward per completion token: discourages padding out answers to score. */
  lengthPenalty: number;
}

export const RLOO_DEFAULTS: Omit<RlooOptions, "k"> = { beta: 0.05, lengthPenalty: 0 };

export interface RlooInputs {
  /** log pi(y_i) summed over completion tokens [B], differentiable; B = prompts * k. */
  policyLogps: tf.Tensor1D;
  /** log ref(y_i) over the same tokens [B], a constant. */
  refLogps: tf.Tensor1D;
  /** The reward model's score of each sample [B], a constant. */
  scores: tf.Tensor1D;
  /** Completion tokens per sample [B] (the mask's row sums); needed for the length penalty. */
  lengths: tf.Tensor1D;
}

export interface RlooOutputs {
  loss: tf.Scalar;
  /** Per-sample KL estimate [B] (constant). */
  kl: tf.Tensor1D;
  /** score - beta kl - lengthPenalty len [B] (constant). */
  rlhfReward: tf.Tensor1D;
  /** Leave-one-out advantage [B] (constant); sums to zero within each prompt. */
  advantages: tf.Tensor1D;
}

export function rlooLoss(inputs: RlooInputs, options: Partial<RlooOptions> & { k: number }): RlooOutputs {
  const { k, beta, lengthPenalty } = { ...RLOO_DEFAULTS, ...options };
  const b = inputs.policyLogps.shape[0];
  if (!Number.isInteger(k) || k < 2) throw new Error(`RLOO needs k >= 2 samples per prompt, got ${k}`);
  if (b % k !== 0) throw new Error(`RLOO batch of ${b} samples is not a whole number of prompts of ${k}`);
  if (!(beta >= 0)) throw new Error(`RLOO beta must be >= 0, got ${beta}`);
  if (!(lengthPenalty >= 0)) throw new Error(`RLOO length penalty must be >= 0, got ${lengthPenalty}`);
  for (const [name, t] of [["refLogps", inputs.refLogps], ["scores", inputs.scores], ["lengths", inputs.lengths]] as const) {
    if (t.shape[0] !== b) throw new Error(`RLOO ${name} has ${t.shape[0]} entries for ${b} samples`);
  }
  return tf.tidy(() => {
    // stopGradient is not in tfjs-core's public ops; rebuilding the tensor from its data is a
    // constant by construction (the gradient must not flow through the reward).
    const policyConst = tf.tensor1d(inputs.policyLogps.dataSync());
    const kl = tf.sub(policyConst, inputs.refLogps) as tf.Tensor1D;
    const rlhfReward = tf.sub(tf.sub(inputs.scores, tf.mul(kl, beta)), tf.mul(inputs.lengths, lengthPenalty)) as tf.Tensor1D;
    const grouped = tf.reshape(rlhfReward, [b / k, k]);
    const baseline = tf.div(tf.sub(tf.sum(grouped, 1, true), grouped), k - 1);
    const advantages = tf.reshape(tf.sub(grouped, baseline), [b]) as tf.Tensor1D;
    const loss = tf.neg(tf.mean(tf.mul(advantages, inputs.policyLogps))) as tf.Scalar;
    return { loss, kl, rlhfReward, advantages };
  });
}

/** TRL's RLOOTrainer metric names (plus the advantage's spread), averaged over the batch. */
export interface RlooMetrics {
  "objective/kl": number;
  /** TRL's estimate: minus the mean sampled sequence log-prob. */
  "objective/entropy": number;
  "objective/non_score_reward": number;
  "objective/rlhf_reward": number;
  "objective/scores": number;
  "objective/length_penalty": number;
  "loss/policy_avg": number;
  "policy/advantage_mean": number;
  "policy/advantage_std": number;
  "val/completion_length": number;
}

export type RlooMetricName = keyof RlooMetrics;

/** Reads one step's metrics (synchronously: a handful of numbers per sample). */
export function rlooMetrics(inputs: RlooInputs, outputs: RlooOutputs, options: Partial<RlooOptions> & { k: number }): RlooMetrics {
  const { beta, lengthPenalty } = { ...RLOO_DEFAULTS, ...options };
  const kl = outputs.kl.dataSync();
  const rr = outputs.rlhfReward.dataSync();
  const adv = outputs.advantages.dataSync();
  const lp = inputs.policyLogps.dataSync();
  const sc = inputs.scores.dataSync();
  const len = inputs.lengths.dataSync();
  const n = Math.max(kl.length, 1);
  const mean = (xs: ArrayLike<number>): number => {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[i]!;
    return s / n;
  };
  const advMean = mean(adv);
  let v = 0;
  for (let i = 0; i < adv.length; i++) v += (adv[i]! - advMean) ** 2;
  return {
    "objective/kl": mean(kl),
    "objective/entropy": -mean(lp),
    "objective/non_score_reward": -beta * mean(kl),
    "objective/rlhf_reward": mean(rr),
    "objective/scores": mean(sc),
    "objective/length_penalty": -lengthPenalty * mean(len),
    "loss/policy_avg": outputs.loss.dataSync()[0]!,
    "policy/advantage_mean": advMean,
    // Population std, as torch.std(unbiased=False); 0 for a single sample.
    "policy/advantage_std": Math.sqrt(v / n),
    "val/completion_length": mean(len),
  };
}
