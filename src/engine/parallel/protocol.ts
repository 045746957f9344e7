// Messages between the training thread and its data-parallel replica workers. Weights and
// gradients travel through SharedArrayBuffers (one flat float32 array each, parameters in
// the model's order), so a step copies memory but allocates nothing.
import type { Qwen2Config } from "../../core/formats/qwen2-config";
import type { TrainingBackend } from "../backends/probe";

export interface ReplicaInit {
  type: "init";
  config: Qwen2Config;
  backend: TrainingBackend;
  /** Parameter names and sizes, in the order of the flat buffers. */
  layout: { name: string; shape: number[] }[];
  /** The weights, written by the main thread before each step. */
  weights: SharedArrayBuffer;
  /** This replica's gradients, written by it at the end of each step. */
  grads: SharedArrayBuffer;
}

export interface ReplicaStep {
  type: "step";
  batchSize: number;
  seqLen: number;
  inputIds: Int32Array;
  targets: Int32Array;
  attentionMask?: Uint8Array | Float32Array;
  lossMask?: Float32Array;
}

export type ToReplica = ReplicaInit | ReplicaStep | { type: "close" };

export type FromReplica =
  | { type: "ready"; device: string }
  /** Sum-reduced loss over the shard, and the count it summed over; gradients are in the grads buffer (of the sum). */
  | { type: "stepped"; lossSum: number; tokens: number }
  | { type: "error"; message: string };
