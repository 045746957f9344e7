// Data parallelism over worker threads must be invisible in the numbers: the same mean loss
// and gradients as one thread over the whole batch, step after step while the weights change.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../../../../src/engine/backends/select";
import { makeLmBatch, makeQwen2Config, Qwen2Model } from "../../../../src/engine/model";
import { DataParallel } from "../../../../src/engine/parallel/data-parallel";
import { LmRows } from "../../../../src/engine/data/lm-rows";
import { lmLoss } from "../../../../src/engine/loss-fns";
import { trainLoop } from "../../../../src/engine/train-loop";

const config = makeQwen2Config({ vocab_size: 60, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, initializer_range: 0.2 });
const row = (n: number, s: number) => Array.from({ length: n }, (_, i) => (i * 13 + s * 7 + ((i * s) % 5)) % 60);

describe("data parallelism over worker threads (wasm)", () => {
  let model: Qwen2Model;
  let dp: DataParallel;
  before(async () => {
    await selectBackend("wasm");
    model = Qwen2Model.create(config, { seed: 9 });
    dp = await DataParallel.start(model, 2, "wasm");
  });
  after(async () => {
    await dp?.close();
    model?.dispose();
  });

  it("gives the single-thread mean loss and gradients (padded rows, SFT masks, uneven split)", async () => {
    // 5 rows over 3 threads: 2 + 2 + 1; padding and completion masks make token counts differ per row.
    const batch = makeLmBatch([row(17, 1), row(9, 2), row(17, 3), row(5, 4), row(13, 5)], 16, 0, [0, 3, 0, 2, 8]);
    for (let step = 0; step < 2; step++) {
      const one = model.lossAndGrads(batch);
      const par = await dp.lossAndGrads(batch);
      assert.equal(par.tokens, one.tokens);
      assert.ok(Math.abs(par.loss - one.loss) < 1e-5 * one.loss, `loss ${par.loss} vs ${one.loss}`);
      for (const [name, g] of one.grads) {
        const d = tf.tidy(() => tf.max(tf.abs(tf.sub(g, par.grads.get(name)!))).dataSync()[0]!);
        const m = tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!);
        assert.ok(d <= 1e-5 * m + 1e-9, `${name}: ${d} (max ${m})`);
      }
      // An SGD step, so the second round checks that replicas see the new weights.
      tf.tidy(() => {
        for (const [name, g] of one.grads) model.params.get(name)!.assign(tf.sub(model.params.get(name)!, tf.mul(g, 0.5)));
      });
      tf.dispose([...one.grads.values(), ...par.grads.values()]);
    }
  });

  it("a batch smaller than the thread count still works", async () => {
    const batch = makeLmBatch([row(9, 6)], 8, 0);
    const one = model.lossAndGrads(batch);
    const par = await dp.lossAndGrads(batch);
    assert.ok(Math.abs(par.loss - one.loss) < 1e-6);
    tf.dispose([...one.grads.values(), ...par.grads.values()]);
  });

  it("as the trainer's gradient source, takes the steps one thread takes (accumulation, clipping, AdamW)", async () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ ids: row(9 + (i % 5) * 2, i + 1), completionStart: i % 3 }));
    const options = { steps: 4, batchSize: 3, gradientAccumulation: 2, learningRate: 1e-2, warmupSteps: 1, seed: 5, maxGradNorm: 0.5 };
    const run = async (parallel: boolean) => {
      const m = Qwen2Model.create(config, { seed: 21 });
      const replicas = parallel ? await DataParallel.start(m, 1, "wasm") : undefined;
      const losses: number[] = [];
      try {
        const r = await trainLoop(m.trainableVariables(), new LmRows(rows, 16, 0), lmLoss(m), { ...options, onProgress: (p) => losses.push(p.loss) }, undefined, replicas?.gradientSource());
        assert.equal(r.status, "completed");
        return { losses, weights: await m.getWeights() };
      } finally {
        await replicas?.close();
        m.dispose();
      }
    };
    const one = await run(false);
    const two = await run(true);
    assert.equal(two.losses.length, 4);
    two.losses.forEach((l, i) => assert.ok(Math.abs(l - one.losses[i]!) < 1e-4 * one.losses[i]!, `step ${i + 1}: ${l} vs ${one.losses[i]}`));
    for (const [name, t] of one.weights) {
      const other = two.weights.get(name)!.data;
      let d = 0;
      t.data.forEach((v, i) => (d = Math.max(d, Math.abs(v - other[i]!))));
      assert.ok(d < 1e-4, `${name}: max difference ${d}`);
    }
  });
});
