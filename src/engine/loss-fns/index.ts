// Each objective bound to a model and its micro-batches: the LossFn the trainer calls for a
// stage (language modelling, DPO, the reward model, distillation).
export { lmLoss } from "./lm-loss-fn";
export { dpoLossFn, fillReferenceLogProbs, setReference } from "./dpo-loss-fn";
export { distillLossFn } from "./distill-loss-fn";
export { rewardLossFn } from "./reward-loss-fn";
export { rlooLossFn, type RlooMicroBatch } from "./rloo-loss-fn";
