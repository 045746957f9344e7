// The trainer's contracts with what it trains: data comes as micro-batches built from example
// indices, and an objective turns a micro-batch into a scalar loss inside a gradient tape.
import type * as tf from "@tensorflow/tfjs-core";

/** One micro-batch, as a DataSource builds it. */
export interface MicroBatch {
  /** Tokens the forward pass processes (padding included): what tokens/s counts. */
  readonly tokens: number;
  /** Frees tensors the batch holds, if any; the trainer calls it after the batch's backward pass. */
  dispose?(): void;
}

/** A fixed set of training examples, addressed by index (0..size-1). */
export interface DataSource<B extends MicroBatch> {
  readonly size: number;
  batch(indices: readonly number[]): B;
}

/** What the loss function is told about the micro-batch it is computing. */
export interface MicroStepContext {
  /** The optimizer step this micro-batch belongs to (0 = the first). */
  step: number;
  /** Index of the micro-batch within the step (gradient accumulation). */
  micro: number;
  /** A seed for any randomness of this micro-batch, derived from the run's seed, step and micro. */
  seed: number;
}

/**
 * A loss for one micro-batch. `loss` is the mean over the micro-batch's items (tokens for
 * language modelling, pairs for DPO); `weight` is how many items that mean is over (default 1),
 * so that accumulating micro-batches gives exactly the mean over the whole batch. `metrics`
 * are per-item means too (DPO's rewards/accuracies...), averaged with the same weights.
 */
export interface LossOutput {
  loss: tf.Scalar;
  weight?: number | tf.Scalar;
  metrics?: Record<string, tf.Scalar>;
}

export type LossFn<B extends MicroBatch> = (batch: B, ctx: MicroStepContext) => tf.Scalar | LossOutput;

/**
 * A micro-batch's mean loss and gradients computed outside this thread's tape (data-parallel
 * replicas): `weight` items the mean is over, gradients by parameter name (the caller of the
 * source disposes them). A source returns null for a batch it leaves to the loss function.
 */
export interface ExternalGradients {
  loss: number;
  weight: number;
  grads: Map<string, tf.Tensor>;
}

export type GradientSource<B extends MicroBatch> = (batch: B) => Promise<ExternalGradients | null>;

/** Anything with its own randomness (LoRA dropout): reseeded before every micro-batch. */
export interface Reseedable {
  reseed(seed: number): void;
}
