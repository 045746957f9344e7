// Data parallelism over worker threads for the wasm backend: Node runs each TensorFlow.js
// wasm engine on one thread, so a second core is only used by a second engine. The batch's
// rows are split between this thread and the replicas; each computes the summed loss and
// gradients of its rows; the sums are added here and divided by the number of counted
// tokens, which gives exactly the mean-loss gradients of the whole batch (up to float
// summation order), as DistributedDataParallel does. The optimizer runs here only; the
// replicas read the updated weights from shared memory at the start of the next step.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import type { TrainingBackend } from "../backends/probe";
import type { LmBatch, LossAndGrads, Qwen2Model } from "../model/qwen2";
import type { GradientSource, MicroBatch } from "../train/types";
import type { FromReplica, ReplicaStep, ToReplica } from "./protocol";

/** Where the replica entry point is: the .ts source under tsx, or the bundle next to ours. */
export function replicaWorkerPath(): string | undefined {
  const candidates = __filename.endsWith(".ts") ? [join(__dirname, "replica-worker.ts")] : [join(__dirname, "replica-worker.js")];
  return candidates.find((p) => existsSync(p));
}

function spawnReplica(path: string): Worker {
  if (!path.endsWith(".ts")) return new Worker(path);
  // Under tsx (tests, `node --import tsx`) a worker does not inherit the TypeScript loader
  // (`--import tsx` hooks are per thread and fail on .ts worker entries): register tsx's
  // require hook in the worker first, then load the entry through it.
  const tsx = require.resolve("tsx/cjs");
  // Only under tsx: the string requires tsx and our own replica entry, both resolved paths.
  // eslint-disable-next-line no-restricted-syntax
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(path)});`, { eval: true });
}

interface Replica {
  worker: Worker;
  grads: Float32Array;
  pending: { resolve: (m: FromReplica) => void; reject: (e: Error) => void } | undefined;
  failed: Error | undefined;
}

function rowsOf(batch: LmBatch, start: number, count: number): ReplicaStep {
  const t = batch.seqLen;
  const cut = <T extends { subarray(a: number, b: number): T }>(a: T): T => a.subarray(start * t, (start + count) * t);
  const mask = batch.attentionMask;
  const loss = batch.lossMask;
  return {
    type: "step",
    batchSize: count,
    seqLen: t,
    inputIds: cut(batch.inputIds),
    targets: cut(batch.targets),
    ...(mask ? { attentionMask: mask instanceof Uint8Array ? cut(mask) : Float32Array.from(mask).subarray(start * t, (start + count) * t) } : {}),
    ...(loss ? { lossMask: Float32Array.from(loss).subarray(start * t, (start + count) * t) } : {}),
  };
}

export class DataParallel {
  private constructor(
    private readonly model: Qwen2Model,
    private readonly replicas: Replica[],
    private readonly weights: Float32Array,
    private readonly layout: { name: string; shape: number[]; size: number }[],
  ) {}

  /** Threads that compute: this one and the replicas. */
  get threads(): number {
    return 1 + this.replicas.length;
  }

  /**
   * Starts `workers` replica threads for `model` on `backend` (normally wasm). Resolves when
   * every replica has loaded its backend; rejects with the reason if one cannot.
   */
  static async start(model: Qwen2Model, workers: number, backend: TrainingBackend): Promise<DataParallel> {
    // Replicas hold the base weights only: an adapter's variables (LoRA) would train on this thread alone.
    if (model.adapter) throw new Error("data parallelism: models with an adapter (LoRA) train on one thread");
    const path = replicaWorkerPath();
    if (!path) throw new Error("data parallelism: the replica worker script (replica-worker.js) is not next to this bundle");
    const layout = [...model.params].map(([name, v]) => ({ name, shape: v.shape.slice(), size: v.size }));
    const total = layout.reduce((s, l) => s + l.size, 0);
    const weightsBuffer = new SharedArrayBuffer(total * 4);
    const replicas: Replica[] = [];
    const dp = new DataParallel(model, replicas, new Float32Array(weightsBuffer), layout);
    try {
      for (let i = 0; i < workers; i++) {
        const gradsBuffer = new SharedArrayBuffer(total * 4);
        const r: Replica = { worker: spawnReplica(path), grads: new Float32Array(gradsBuffer), pending: undefined, failed: undefined };
        r.worker.on("message", (m: FromReplica) => {
          const p = r.pending;
          r.pending = undefined;
          if (m.type === "error") p?.reject(new Error(`replica ${i}: ${m.message}`));
          else p?.resolve(m);
        });
        const fail = (e: Error): void => {
          r.failed = e;
          r.pending?.reject(e);
          r.pending = undefined;
        };
        r.worker.on("error", (e) => fail(new Error(`replica ${i} crashed: ${e.message}`)));
        r.worker.on("exit", (code) => fail(new Error(`replica ${i} exited (code ${code})`)));
        replicas.push(r);
        const msg: ToReplica = { type: "init", config: model.config, backend, layout: layout.map(({ name, shape }) => ({ name, shape })), weights: weightsBuffer, grads: gradsBuffer };
        await dp.send(r, msg);
      }
    } catch (err) {
      await dp.close();
      throw err;
    }
    return dp;
  }

  private send(r: Replica, msg: ToReplica): Promise<FromReplica> {
    if (r.failed) return Promise.reject(r.failed);
    return new Promise((resolve, reject) => {
      r.pending = { resolve, reject };
      r.worker.postMessage(msg);
    });
  }

  private publishWeights(): void {
    let offset = 0;
    for (const { name, size } of this.layout) {
      this.weights.set(this.model.params.get(name)!.dataSync() as Float32Array, offset);
      offset += size;
    }
  }

  /**
   * model.lossAndGrads over the batch with its rows split across the threads: the same mean
   * loss and gradients (by Hugging Face name; the caller disposes them).
   */
  async lossAndGrads(batch: LmBatch): Promise<LossAndGrads> {
    this.publishWeights();
    const shares = this.threads;
    const base = Math.floor(batch.batchSize / shares);
    const extra = batch.batchSize % shares;
    const counts = Array.from({ length: shares }, (_, i) => base + (i < extra ? 1 : 0));
    const starts = counts.map((_, i) => counts.slice(0, i).reduce((a, b) => a + b, 0));
    // Replicas first, so they compute while this thread does its own share.
    const waits = this.replicas.map((r, i) => (counts[i + 1]! > 0 ? this.send(r, rowsOf(batch, starts[i + 1]!, counts[i + 1]!)) : undefined));
    const mine = this.model.lossAndGrads({ ...rowsOf(batch, 0, counts[0]!) }, { reduction: "sum" });
    let lossSum = mine.loss;
    let tokens = mine.tokens;
    const grads = mine.grads;
    try {
      for (let i = 0; i < waits.length; i++) {
        if (!waits[i]) continue;
        const m = await waits[i]!;
        if (m.type !== "stepped") throw new Error(`replica ${i}: unexpected answer ${m.type}`);
        lossSum += m.lossSum;
        tokens += m.tokens;
        const all = this.replicas[i]!.grads;
        let offset = 0;
        for (const { name, shape, size } of this.layout) {
          const prev = grads.get(name);
          if (prev) {
            grads.set(name, tf.tidy(() => tf.add(prev, tf.tensor(all.subarray(offset, offset + size), shape, "float32"))));
            prev.dispose();
          }
          offset += size;
        }
      }
    } catch (err) {
      tf.dispose([...grads.values()]);
      throw err;
    }
    const scale = 1 / Math.max(tokens, 1e-8);
    for (const [name, g] of grads) {
      grads.set(name, tf.tidy(() => tf.mul(g, scale)));
      g.dispose();
    }
    return { loss: lossSum * scale, tokens, grads };
  }

  /** The replicas as the trainer's gradient source for language-model micro-batches. */
  gradientSource(): GradientSource<LmBatch & MicroBatch> {
    return async (batch) => {
      const r = await this.lossAndGrads(batch);
      return { loss: r.loss, weight: r.tokens, grads: r.grads };
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.replicas.map(async (r) => {
        r.worker.removeAllListeners("exit");
        r.worker.postMessage({ type: "close" } satisfies ToReplica);
        await r.worker.terminate();
      }),
    );
    this.replicas.length = 0;
  }
}
