// LoRA over a base from disk through the training stages: continued pretraining attaches
// adapters to the frozen base (a GGUF file, as users keep bases) and writes an adapter folder
// (PEFT's files and the base's path, not a copy of the base); SFT opens that folder, trains the
// same adapters on; the base file is never written; and the folder is evaluated by llama.cpp as
// base + GGUF adapter, agreeing with our own forward of it.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { exportGguf, mergedAdapterToGguf } from "../../../src/core/formats/gguf";
import { adapterBasePath, isAdapterFolder } from "../../../src/core/formats/adapter-folder";
import { LORA_DEFAULTS } from "../../../src/core/formats/lora-config";
import { gatherDataset } from "../../../src/core/gather/gather";
import { selectBackend } from "../../../src/engine/backends/select";
import { loadModelDir } from "../../../src/engine/model-store/model-dir";
import { runPretrainStage, runSftStage } from "../../../src/pipeline/training/lm-training";
import { LlamaScorer } from "../../../src/serve/llama-scorer";
import { modelGguf } from "../../../src/serve/model-gguf";
import { openEvaluator } from "../../../src/pipeline/evaluation/open-evaluator";
import { compareLogProbs } from "../serve/helpers/compare-log-probs";
import { realCode } from "../serve/helpers/real-code";
import { writeTinyCheckpoint } from "../serve/helpers/tiny-checkpoint";
import { makeFixtureRepo } from "./fixture-repo";

const sha = (path: string) => createHash("sha256").update(fs.readFileSync(path)).digest("hex");

describe("LoRA stages over a base GGUF", { timeout: 300_000 }, () => {
  const root = fs.mkdtempSync(join(tmpdir(), "repotune-lora-stages-"));
  const data = join(root, "dataset");
  const basePath = join(root, "base.gguf");
  const train = { batchSize: 2, seqLen: 64, seed: 3, learningRate: 2e-2, steps: 6, warmupSteps: 0 };
  const lora = { ...LORA_DEFAULTS, r: 4, alpha: 8, dropout: 0 };
  let baseHash = "";

  before(async () => {
    await selectBackend("wasm");
    await writeTinyCheckpoint(join(root, "ckpt"), { seed: 3, config: { tie_word_embeddings: false } });
    exportGguf({ checkpointDir: join(root, "ckpt"), outPath: basePath, dtype: "f32" });
    baseHash = sha(basePath);
    const repo = join(root, "repo");
    makeFixtureRepo(repo, 4);
    await gatherDataset({ repo, datasetDir: data, seed: 3, heldoutFraction: 0.25, fimCharsPerSample: 40, fimMaxPerFile: 10, probesPerFile: 4, fimPrefixChars: 200, fimSuffixChars: 40, commitCount: 1 });
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  let pretrainDir = "";
  it("continued pretraining trains adapters only and writes an adapter folder naming the base", async () => {
    const out = await runPretrainStage({ from: { basePath, lora, seed: 1 }, datasetDir: data, outDir: join(root, "pretrain") }, train);
    assert.equal(out.status, "completed");
    pretrainDir = out.modelDir!;
    assert.ok(isAdapterFolder(pretrainDir), "an adapter folder");
    assert.deepEqual(fs.readdirSync(pretrainDir).sort(), ["adapter_config.json", "adapter_model.safetensors", "repotune-base.json"]);
    assert.equal(adapterBasePath(pretrainDir), basePath);
    assert.ok(out.train.finalLoss! < out.train.firstLoss!, `loss ${out.train.firstLoss} -> ${out.train.finalLoss}`);
    assert.equal(sha(basePath), baseHash, "the base file is never written");
  });

  it("SFT continues the same adapters from the folder, and the folder opens as base + adapters", async () => {
    const out = await runSftStage({ from: { modelDir: pretrainDir }, datasetDir: data, outDir: join(root, "sft") }, train);
    assert.equal(out.status, "completed");
    assert.ok(isAdapterFolder(out.modelDir!));
    const loaded = loadModelDir(out.modelDir!);
    try {
      // Only the adapters train: 2 layers x 7 projections x (A and B).
      assert.equal(loaded.model.trainableVariables().size, 2 * 7 * 2);
      assert.ok([...loaded.model.params.values()].every((v) => !v.trainable), "the base is frozen");
    } finally {
      loaded.model.dispose();
    }
  });

  it("llama.cpp evaluates the folder as the base GGUF + a GGUF adapter, agreeing with our forward to 1e-3", async () => {
    const m = modelGguf(pretrainDir, "f32");
    assert.equal(m.gguf, basePath, "the base's own file, not a copy");
    assert.ok(m.lora && fs.existsSync(m.lora));
    const plain = await LlamaScorer.load({ modelPath: m.gguf, threads: 1, contextSize: 512 });
    const adapted = await LlamaScorer.load({ modelPath: m.gguf, threads: 1, contextSize: 512, lora: { path: m.lora! } });
    try {
      const tokens = adapted.tokenize(realCode(1500).slice(200, 900)).slice(0, 120);
      const theirs = await adapted.logProbs(tokens);
      const baseTheirs = await plain.logProbs(tokens);
      const loaded = loadModelDir(pretrainDir);
      let ours: Float64Array[];
      try {
        const logits = loaded.model.logits({ batchSize: 1, seqLen: tokens.length, inputIds: Int32Array.from(tokens) });
        const lp = tf.tidy(() => tf.logSoftmax(tf.reshape(logits, [tokens.length, -1])));
        const rows = (await lp.array()) as number[][];
        tf.dispose([logits, lp]);
        ours = rows.map((r) => Float64Array.from(r));
      } finally {
        loaded.model.dispose();
      }
      const gap = compareLogProbs(ours, theirs);
      const moved = compareLogProbs(ours, baseTheirs);
      console.log(`# adapter folder in llama.cpp: max |dlogp| ${gap.worst.toExponential(2)}; training moved the base by ${moved.worst.toFixed(3)}`);
      assert.ok(gap.worst <= 1e-3, `max |dlogp| ${gap.worst}`);
      assert.ok(moved.worst > 10 * gap.worst, "training changed the model measurably");
    } finally {
      await plain.dispose();
      await adapted.dispose();
      m.cleanup();
    }
  });

  it("a merged GGUF (base + adapters in one file) is what llama.cpp computes with the adapter file, to 1e-4", async () => {
    const m = modelGguf(pretrainDir, "f32");
    const mergedPath = join(root, "merged.gguf");
    const r = mergedAdapterToGguf(pretrainDir, mergedPath, "f32");
    assert.equal(r.merged, 2 * 7, "every adapted projection of both layers");
    const adapted = await LlamaScorer.load({ modelPath: m.gguf, threads: 1, contextSize: 512, lora: { path: m.lora! } });
    const merged = await LlamaScorer.load({ modelPath: mergedPath, threads: 1, contextSize: 512 });
    const plain = await LlamaScorer.load({ modelPath: m.gguf, threads: 1, contextSize: 512 });
    try {
      const tokens = adapted.tokenize(realCode(1500).slice(200, 900)).slice(0, 120);
      assert.deepEqual(merged.tokenize(realCode(1500).slice(200, 900)).slice(0, 120), tokens, "the merged file keeps the base's vocabulary");
      const gap = compareLogProbs(await merged.logProbs(tokens), await adapted.logProbs(tokens));
      const moved = compareLogProbs(await merged.logProbs(tokens), await plain.logProbs(tokens));
      console.log(`# merged GGUF vs base + adapter in llama.cpp: max |dlogp| ${gap.worst.toExponential(2)}; vs the base alone ${moved.worst.toFixed(3)}`);
      assert.ok(gap.worst <= 1e-4, `max |dlogp| ${gap.worst}`);
      assert.ok(moved.worst > 100 * gap.worst, "the merge is not the base");
      assert.equal(sha(basePath), baseHash, "the base file is never written");
    } finally {
      await adapted.dispose();
      await merged.dispose();
      await plain.dispose();
      m.cleanup();
    }
  });

  it("evaluation opens the folder as base + adapters in both engines, and they score alike", async () => {
    const text = realCode(800);
    const prompt = text.slice(0, 300);
    const target = text.slice(300, 340);
    const tfjs = await openEvaluator(pretrainDir, "tfjs", 8);
    const llama = await openEvaluator(pretrainDir, "llama", 8);
    try {
      assert.equal(tfjs.engine, "tfjs");
      assert.equal(llama.engine, "llama", llama.fallback);
      const [a] = await tfjs.evaluator.score(prompt, [target]);
      const [b] = await llama.evaluator.score(prompt, [target]);
      const plain = await openEvaluator(basePath, "tfjs", 8);
      const [c] = await plain.evaluator.score(prompt, [target]);
      await plain.dispose();
      assert.ok(Math.abs(a! - b!) < 1e-2 * Math.max(1, Math.abs(a!)), `tfjs ${a} vs llama.cpp ${b}`);
      assert.ok(Math.abs(a! - c!) > 10 * Math.abs(a! - b!), `the adapters count: with ${a}, base alone ${c}`);
    } finally {
      await tfjs.dispose();
      await llama.dispose();
    }
  });
});
