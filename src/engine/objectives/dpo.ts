// Direct Preference Optimisation and its variants, with TRL's conventions so numbers compare:
//   h = (log pi(c) - log ref(c)) - (log pi(r) - log ref(r))
//   sigmoid: -(1 - eps) log sigmoid(beta h) - eps log sigmoid(-beta h)   (eps: label smoothing, cDPO)
//   hinge:   relu(1 - beta h)                                           (SLiC)
//   ipo:     (h - 1 / (2 beta))^2                                       (IPO; TRL feeds it length-averaged log-probs)
// Inputs are per-pair log-probs [B]; the reference ones are constants computed before training.
// Pairs with weights count as sum(w * loss) / sum(w).
import * as tf from "@tensorflow/tfjs-core";
import { logSigmoid } from "./log-probs";
import { weightedMean } from "./weighted-mean";

export const DPO_LOSS_TYPES = ["sigmoid", "ipo", "hinge"] as const;
export type DpoLossType = (typeof DPO_LOSS_TYPES)[number];

export interface DpoOptions {
  beta: number;
  lossType: DpoLossType;
  /** Probability that a label is flipped (conservative DPO); sigmoid loss only. */
  labelSmoothing: number;
}

export const DPO_DEFAULTS: DpoOptions = { beta: 0.1, lossType: "sigmoid", labelSmoothing: 0 };

export interface DpoInputs {
  policyChosen: tf.Tensor1D;
  policyRejected: tf.Tensor1D;
  refChosen: tf.Tensor1D;
  refRejected: tf.Tensor1D;
  /** How much each pair counts (PreferencePair.weight); absent: all equally. */
  weights?: tf.Tensor1D;
}

export interface DpoOutputs {
  loss: tf.Scalar;
  /** beta (log pi(c) - log ref(c)) per pair: DPO's implicit reward of the chosen answer. */
  chosenRewards: tf.Tensor1D;
  rejectedRewards: tf.Tensor1D;
}

export function dpoLoss(inputs: DpoInputs, options: Partial<DpoOptions> = {}): DpoOutputs {
  const { beta, lossType, labelSmoothing } = { ...DPO_DEFAULTS, ...options };
  if (!(beta > 0)) throw new Error(`DPO beta must be positive, got ${beta}`);
  if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
    throw new Error(`DPO label smoothing must be in [0, 0.5), got ${labelSmoothing}`);
  }
  if (labelSmoothing > 0 && lossType !== "sigmoid") {
    throw new Error(`label smoothing applies to the sigmoid loss only, not "${lossType}"`);
  }
  return tf.tidy(() => {
    const { policyChosen, policyRejected, refChosen, refRejected } = inputs;
    const chosenRatio = tf.sub(policyChosen, refChosen);
    const rejectedRatio = tf.sub(policyRejected, refRejected);
    const h = tf.sub(chosenRatio, rejectedRatio);
    let perPair: tf.Tensor;
    switch (lossType) {
      case "sigmoid": {
        const z = tf.mul(h, beta);
        perPair = tf.add(
          tf.mul(tf.neg(logSigmoid(z)), 1 - labelSmoothing),
          tf.mul(tf.neg(logSigmoid(tf.neg(z))), labelSmoothing),
        );
        break;
      }
      case "hinge":
        perPair = tf.relu(tf.sub(1, tf.mul(h, beta)));
        break;
      case "ipo":
        perPair = tf.square(tf.sub(h, 1 / (2 * beta)));
        break;
    }
    return {
      loss: weightedMean(perPair, inputs.weights),
      chosenRewards: tf.mul(chosenRatio, beta) as tf.Tensor1D,
      rejectedRewards: tf.mul(rejectedRatio, beta) as tf.Tensor1D,
    };
  });
}

/** TRL's logged names, averaged over the batch. */
export interface DpoMetrics {
  "rewards/chosen": number;
  "rewards/rejected": number;
  "rewards/accuracies": number;
  "rewards/margins": number;
  "logps/chosen": number;
  "logps/rejected": number;
}

/** Reads the metrics of one step (synchronously: they are a handful of numbers). */
export function dpoMetrics(inputs: DpoInputs, outputs: DpoOutputs): DpoMetrics {
  const c = outputs.chosenRewards.dataSync();
  const r = outputs.rejectedRewards.dataSync();
  const pc = inputs.policyChosen.dataSync();
  const pr = inputs.policyRejected.dataSync();
  const n = c.length;
  let chosen = 0, rejected = 0, correct = 0, lc = 0, lr = 0;
  for (let i = 0; i < n; i++) {
    chosen += c[i]!;
    rejected += r[i]!;
    // TRL counts a strict win: identical rewards are not an accurate ranking.
    if (c[i]! > r[i]!) correct++;
    lc += pc[i]!;
    lr += pr[i]!;
  }
  const d = Math.max(n, 1);
  return {
    "rewards/chosen": chosen / d,
    "rewards/rejected": rejected / d,
    "rewards/accuracies": correct / d,
    "rewards/margins": (chosen - rejected) / d,
    "logps/chosen": lc / d,
    "logps/rejected": lr / d,
  };
}
