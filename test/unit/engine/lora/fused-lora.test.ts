// LoRA inside the fused decoder layer (engine/ops/decoder-layer.ts, its backward by hand) against
// the op-by-op layer, whose gradients are tfjs autodiff through the adapter's own ops: the same
// loss and the same gradient of every factor, with dropout (the same masks from the same seed),
// with q/k/v biases, on a subset of modules too; and no gradient for the frozen base.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { attachLora, DEFAULT_TARGET_MODULES, type LoraConfig } from "../../../../src/engine/lora";
import { Qwen2Model } from "../../../../src/engine/model";
import { seededRandom } from "../../../../src/core/random/seeded-random";
import { lmData, TINY } from "../helpers/tiny-qwen2";
import { useWasmBackend } from "../helpers/wasm-backend";

const BASE = { ...TINY, initializer_range: 0.5 };

function relDiff(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

/** Loss and factor gradients of one batch, the layers fused or not, dropout drawn from seed 7. */
function run(config: LoraConfig, fused: boolean): { loss: number; grads: Map<string, Float32Array>; baseGrads: number } {
  const model = Qwen2Model.create(BASE, { seed: 4 });
  model.fusedLayers = fused;
  const lora = attachLora(model, config, { seed: 1 });
  // Trained-looking factors: B = 0 would make A's gradient zero and hide mistakes.
  const random = seededRandom(5);
  for (const [name, v] of lora.params) if (name.includes("lora_B")) v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => random() - 0.5), v.shape));
  lora.reseed(7);
  const batch = lmData(4).batch([0, 1, 2, 3]);
  const out = model.lossAndGrads(batch, { training: true, variables: lora.params });
  const grads = new Map([...out.grads].map(([k, g]) => [k, new Float32Array(g.dataSync() as Float32Array)]));
  tf.dispose([...out.grads.values()]);
  const baseGrads = [...model.params.values()].filter((v) => v.trainable).length;
  lora.dispose();
  model.dispose();
  return { loss: out.loss, grads, baseGrads };
}

describe("LoRA in the fused decoder layer", () => {
  before(useWasmBackend);

  const cases: [string, LoraConfig][] = [
    ["every projection, dropout 0.1", { r: 4, alpha: 8, dropout: 0.1, targetModules: [...DEFAULT_TARGET_MODULES] }],
    ["every projection, no dropout, rsLoRA", { r: 3, alpha: 5, dropout: 0, targetModules: [...DEFAULT_TARGET_MODULES], useRslora: true }],
    ["q and v only (the original paper's choice)", { r: 2, alpha: 4, dropout: 0.05, targetModules: ["q_proj", "v_proj"] }],
  ];
  for (const [name, config] of cases) {
    it(`${name}: the fused layer's loss and factor gradients equal autodiff's through the op-by-op layer`, () => {
      const fused = run(config, true);
      const plain = run(config, false);
      assert.ok(Math.abs(fused.loss - plain.loss) <= 1e-5 * Math.abs(plain.loss), `loss ${fused.loss} vs ${plain.loss}`);
      assert.deepEqual([...fused.grads.keys()].sort(), [...plain.grads.keys()].sort());
      for (const [k, g] of plain.grads) {
        const r = relDiff(fused.grads.get(k)!, g);
        assert.ok(r < 1e-4, `${k}: relative difference ${r.toExponential(2)}`);
        assert.ok(g.some((x) => x !== 0), `${k}: a zero gradient tests nothing`);
      }
      assert.equal(fused.baseGrads, 0, "the base is frozen: no base weight is differentiated");
    });
  }

  it("uses the fused layer when the base is frozen, and the op-by-op one when a base weight trains", () => {
    const model = Qwen2Model.create(BASE, { seed: 4 });
    const lora = attachLora(model, { r: 2, alpha: 4, dropout: 0, targetModules: ["q_proj"] }, { seed: 1 });
    const batch = lmData(2).batch([0, 1]);
    // The fused layer puts one tape node per layer; op by op puts dozens.
    const nodes = () => {
      let count = 0;
      const vars = [...lora.params.values()];
      const { value, grads } = tf.variableGrads(() => {
        const l = model.loss(batch, { training: true });
        count = tf.memory().numTensors;
        return l;
      }, vars);
      tf.dispose([value, ...Object.values(grads)]);
      return count;
    };
    const frozen = nodes();
    model.params.get("model.norm.weight")!.trainable = true;
    const thawed = nodes();
    assert.ok(thawed > frozen, `tensors alive at the loss: ${frozen} fused vs ${thawed} op by op`);
    lora.dispose();
    model.dispose();
  });
});
