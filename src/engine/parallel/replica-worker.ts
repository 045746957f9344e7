// A data-parallel replica: a worker thread with its own TensorFlow.js engine and wasm heap,
// holding a copy of the model. Each step it takes the current weights from shared memory,
// computes the summed loss and its gradients over its rows of the batch, and writes them
// back. Node runs the wasm backend on one thread per engine, so replicas are how training
// uses a second core.
import { parentPort } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import { activateBackend } from "../backends/select";
import { Qwen2Model } from "../model/qwen2";
import { initialWeights } from "../model/weights";
import type { FromReplica, ReplicaInit, ToReplica } from "./protocol";

let model: Qwen2Model | undefined;
let init: ReplicaInit | undefined;

function post(m: FromReplica): void {
  parentPort!.postMessage(m);
}

function loadWeights(m: Qwen2Model, r: ReplicaInit): void {
  const all = new Float32Array(r.weights);
  let offset = 0;
  for (const { name, shape } of r.layout) {
    const size = shape.reduce((a, b) => a * b, 1);
    const v = m.params.get(name)!;
    tf.tidy(() => v.assign(tf.tensor(all.subarray(offset, offset + size), shape, "float32")));
    offset += size;
  }
}

async function handle(msg: ToReplica): Promise<void> {
  if (msg.type === "init") {
    init = msg;
    const device = await activateBackend(msg.backend);
    // Built from throwaway weights, overwritten from shared memory before every step.
    model = new Qwen2Model(msg.config, initialWeights(msg.config, 0));
    post({ type: "ready", device });
    return;
  }
  if (msg.type === "close") {
    model?.dispose();
    process.exit(0);
  }
  if (!model || !init) throw new Error("replica: step before init");
  loadWeights(model, init);
  const { loss, tokens, grads } = model.lossAndGrads(msg, { reduction: "sum" });
  const out = new Float32Array(init.grads);
  let offset = 0;
  for (const { name, shape } of init.layout) {
    const size = shape.reduce((a, b) => a * b, 1);
    const g = grads.get(name);
    if (g) out.set(g.dataSync() as Float32Array, offset);
    else out.fill(0, offset, offset + size);
    offset += size;
  }
  tf.dispose([...grads.values()]);
  post({ type: "stepped", lossSum: loss, tokens });
}

parentPort!.on("message", (msg: ToReplica) => {
  handle(msg).catch((err: unknown) => post({ type: "error", message: err instanceof Error ? err.stack ?? err.message : String(err) }));
});
