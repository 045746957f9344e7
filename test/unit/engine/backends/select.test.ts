// Backend selection: auto takes the fastest backend that loads and says why; a named backend
// that cannot run is an error with a hint, never a silent fallback; the same model code gives
// the same numbers on every backend that runs here.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { probeWebgpu } from "../../../../src/engine/backends/probe";
import { BackendError, selectBackend } from "../../../../src/engine/backends/select";
import { makeLmBatch, makeQwen2Config, Qwen2Model } from "../../../../src/engine/model";

const config = makeQwen2Config({ vocab_size: 40, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, initializer_range: 0.2 });
const batch = makeLmBatch([Array.from({ length: 9 }, (_, i) => (i * 7) % 40)], 8, 0);

function lossAndGradNorm(): { loss: number; gradSq: number } {
  const m = Qwen2Model.create(config, { seed: 1 });
  const { loss, grads } = m.lossAndGrads(batch);
  const gradSq = [...grads.values()].reduce((s, g) => s + tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]!), 0);
  tf.dispose([...grads.values()]);
  m.dispose();
  return { loss, gradSq };
}

const tfNodeInstalled = (() => {
  for (const p of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      require.resolve(p);
      return true;
    } catch {
      // not installed
    }
  }
  return false;
})();

describe("backend selection", () => {
  it("auto picks the fastest backend that loads and says why the faster ones did not", async () => {
    const s = await selectBackend("auto");
    assert.equal(tf.getBackend(), s.backend);
    if (!tfNodeInstalled) {
      assert.notEqual(s.backend, "tensorflow");
      assert.match(s.reason, /tensorflow: @tensorflow\/tfjs-node-gpu is not installed/);
    }
    if (s.backend === "wasm") assert.match(s.reason, /webgpu: /, "says why not webgpu");
    assert.match(s.reason, new RegExp(`auto picked ${s.backend}`));
  });

  it("a named backend that cannot load is an error with a hint, not a fallback", async (t) => {
    if (tfNodeInstalled) return t.skip("tfjs-node is installed here");
    await selectBackend("wasm");
    await assert.rejects(selectBackend("tensorflow"), (e: unknown) => e instanceof BackendError && /not installed/.test(e.message) && /tfjs-node/.test(e.hint ?? ""));
    assert.equal(tf.getBackend(), "wasm", "the previous backend stays active");
    await assert.rejects(selectBackend("tpu" as never), /unknown backend "tpu"/);
  });

  it("the same model gives the same loss and gradients on wasm and cpu", async () => {
    await selectBackend("wasm");
    const w = lossAndGradNorm();
    await selectBackend("cpu");
    const c = lossAndGradNorm();
    await selectBackend("wasm");
    assert.ok(Math.abs(w.loss - c.loss) < 1e-5, `${w.loss} vs ${c.loss}`);
    assert.ok(Math.abs(w.gradSq - c.gradSq) < 1e-4 * c.gradSq, `${w.gradSq} vs ${c.gradSq}`);
  });

  it("webgpu trains the same model", async (t) => {
    const probe = await probeWebgpu();
    if (!probe.available) return t.skip(`needs a GPU with a Vulkan/Metal/D3D12 driver (${probe.detail})`);
    await selectBackend("wasm");
    const w = lossAndGradNorm();
    const s = await selectBackend("webgpu");
    t.diagnostic(`webgpu on ${s.device}`);
    const g = lossAndGradNorm();
    await selectBackend("wasm");
    assert.ok(Math.abs(w.loss - g.loss) < 1e-4, `${w.loss} vs ${g.loss}`);
    assert.ok(Math.abs(w.gradSq - g.gradSq) < 1e-3 * w.gradSq, `${w.gradSq} vs ${g.gradSq}`);
  });
});
