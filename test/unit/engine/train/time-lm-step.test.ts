// One next-token step of a fresh model of a shape, timed before a run has data: its figures
// are consistent with each other and the model it built is gone afterwards.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../../../../src/engine/backends/select";
import { makeQwen2Config, countParameters } from "../../../../src/engine/model";
import { timeLmStep } from "../../../../src/engine/time-lm-step";

describe("timeLmStep", () => {
  before(async () => {
    await selectBackend("wasm");
  });

  it("times rows x seqLen tokens through every trainable weight, and frees the model", () => {
    const config = makeQwen2Config({ vocab_size: 96, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 64 });
    const tensorsBefore = tf.memory().numTensors;
    const t = timeLmStep({ config }, 2, 100, 7);
    assert.ok(t.microSec > 0);
    assert.ok(Math.abs(t.tokensPerSec - (2 * 64) / t.microSec) < 1e-6 * t.tokensPerSec, "the row is cut to the model's 64 positions");
    assert.equal(t.trainable, countParameters(config));
    assert.equal(tf.memory().numTensors, tensorsBefore, "no tensor left behind");
  });
});
