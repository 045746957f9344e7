// `repotune bench train` end to end on a tiny model, so the benchmark (its data-parallel
// path, its PyTorch reference script, its JSON fields) cannot rot between the runs that
// measure it. The figures themselves are not checked: they are machine load.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeQwen2Config } from "../../../../src/engine/model";
import { BENCH_CONFIGS, benchBatches, formatTrainBench, runTrainBench, summarise } from "../../../../bench/train";
import { requireTorch, skipWithoutTorch } from "../../engine/helpers/torch-reference";

const tiny = {
  config: makeQwen2Config({ vocab_size: 64, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 512 }),
  batchSize: 4,
  seqLen: 16,
};

describe("bench train", () => {
  it("configs A and B are the issue's sizes", () => {
    const a = BENCH_CONFIGS.A;
    assert.deepEqual(
      [a.config.vocab_size, a.config.hidden_size, a.config.num_hidden_layers, a.config.num_attention_heads, a.config.num_key_value_heads, a.config.intermediate_size, a.seqLen, a.batchSize],
      [2048, 256, 4, 4, 2, 688, 256, 8],
    );
    const b = BENCH_CONFIGS.B;
    assert.deepEqual(
      [b.config.vocab_size, b.config.hidden_size, b.config.num_hidden_layers, b.config.num_attention_heads, b.config.num_key_value_heads, b.config.intermediate_size, b.seqLen, b.batchSize],
      [4096, 512, 8, 8, 4, 1376, 256, 4],
    );
  });

  it("summarises step times as median and best tokens/s", () => {
    const s = summarise([200, 100, 400], 1000, 1e6, [300, 100, 500]);
    assert.equal(s.tokensPerSec, 5000);
    assert.equal(s.bestTokensPerSec, 10000);
    assert.equal(s.gflops, 5);
    assert.equal(s.tokensPerCpuSec, 1000000 / 300);
    const [batch] = benchBatches(tiny, 1);
    assert.deepEqual(Array.from(batch!.targets.subarray(0, 15)), Array.from(batch!.inputIds.subarray(1, 16)), "targets are the next tokens");
  });

  it("runs data-parallel steps, decoding and the PyTorch reference, and reports the JSON fields", { skip: skipWithoutTorch() }, async () => {
    requireTorch();
    const r = await runTrainBench({ config: "A", shape: tiny, backend: "wasm", steps: 2, workers: 1, decode: true });
    assert.equal(r.backend, "wasm");
    assert.equal(r.threads, 2);
    assert.ok(r.tokensPerSec > 0 && r.gflops > 0 && r.peakRssMb > 0);
    assert.ok("tokensPerSec" in r.reference, `reference failed: ${"error" in r.reference ? r.reference.error : ""}`);
    assert.ok(r.reference.tokensPerSec > 0);
    assert.ok(r.ratio !== null && r.ratio > 0);
    // Both start at about ln(vocab) from random init.
    assert.ok(Math.abs(r.losses[0]! - Math.log(64)) < 0.3, `tfjs first loss ${r.losses[0]}`);
    assert.ok(Math.abs(r.reference.losses[0]! - Math.log(64)) < 0.3, `PyTorch first loss ${r.reference.losses[0]}`);
    assert.ok(r.decode && r.decode.msPerToken > 0 && r.decode.promptTokens === 200);
    assert.match(formatTrainBench(r), /ratio \(RepoTune \/ PyTorch, medians\)/);
  });

  it("with --lora: only the adapters train, in PyTorch too, and the same step sees the same loss", { skip: skipWithoutTorch() }, async () => {
    requireTorch();
    const r = await runTrainBench({ config: "shape", shape: tiny, backend: "wasm", steps: 2, lora: { r: 4, alpha: 8 }, referenceThreads: 1 });
    assert.equal(r.threads, 1, "adapters train on one thread (replicas hold base weights only)");
    // 2 layers x 7 projections x (A [4, in] + B [out, 4]).
    const perLayer = 4 * ((32 + 32) + (32 + 16) + (32 + 16) + (32 + 32) + (32 + 48) + (32 + 48) + (48 + 32));
    assert.equal(r.lora?.trainedParameters, 2 * perLayer);
    assert.equal(r.lora?.tokensIn10Minutes, Math.round(r.tokensPerSec * 600));
    assert.ok("tokensPerSec" in r.reference, `reference failed: ${"error" in r.reference ? r.reference.error : ""}`);
    // B starts at zero in both: the first step's loss is the frozen random base's, about ln(vocab).
    assert.ok(Math.abs(r.losses[0]! - Math.log(64)) < 0.3 && Math.abs(r.reference.losses[0]! - Math.log(64)) < 0.3, `first losses ${r.losses[0]} / ${r.reference.losses[0]}`);
    assert.match(formatTrainBench(r), /LoRA r 4, alpha 8 on q_proj.*10 minutes at this rate train/);
  });
});
