export { EpochSampler, type DataPosition } from "./sampler";
export { dropoutSeed, epochPermutation, RNG_ALGORITHM } from "./seeds";
export { trainStep, type StepInputs, type StepResult } from "./train-step";
export { Trainer, type RunOptions, type RunResult, type StepEvent, type TrainerOptions } from "./trainer";
export { parseTrainerState, TrainerStateError, type LogEntry, type TrainerState } from "./trainer-state";
export type { DataSource, ExternalGradients, GradientSource, LossFn, LossOutput, MicroBatch, MicroStepContext, Reseedable } from "./types";
