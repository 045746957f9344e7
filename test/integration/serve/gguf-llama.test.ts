// Our GGUF export, checked by the consumer that matters: llama.cpp (node-llama-cpp 3.21.1,
// prebuilt CPU binary). It loads the file, tokenizes real code to the same ids as our
// tokenizer (and Hugging Face's) on the same tokenizer.json, and its log-probs (f32 weights,
// F32 KV cache, flash attention off) equal our tfjs model's (src/engine/model) and a plain
// float64 forward's to 1e-4, with the same argmax at every position.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Tokenizer } from "@huggingface/tokenizers";
import type { Llama } from "node-llama-cpp";
import { SafetensorsFile } from "../../../src/core/formats/safetensors";
import { exportGguf, readGguf } from "../../../src/core/formats/gguf";
import { tokenizerToJson } from "../../../src/core/tokenizer";
import { loadLlama } from "../../../src/serve/llama-runtime";
import { LlamaScorer } from "../../../src/serve/llama-scorer";
import { realCode } from "./helpers/real-code";
import { referenceLogProbs } from "./helpers/reference-forward";
import { tfjsLogProbs } from "./helpers/tfjs-reference";
import { tinyTokenizer, writeTinyCheckpoint, type TinyConfig } from "./helpers/tiny-checkpoint";

const dir = mkdtempSync(join(tmpdir(), "repotune-gguf-"));
let llama: Llama;

before(async () => {
  llama = await loadLlama({ gpu: false });
});
after(async () => {
  await llama?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function readWeights(ckpt: string): Map<string, { shape: number[]; data: Float32Array }> {
  const f = SafetensorsFile.open(join(ckpt, "model.safetensors"));
  try {
    return new Map([...f.tensors.keys()].map((n) => [n, f.readFloat32(n)]));
  } finally {
    f.close();
  }
}

async function checkParity(name: string, config: Partial<TinyConfig>, dtype: "f32" | "f16", tol: number): Promise<void> {
  const ckpt = join(dir, name);
  const cfg = await writeTinyCheckpoint(ckpt, { seed: 7, config });
  const out = join(dir, `${name}.gguf`);
  exportGguf({ checkpointDir: ckpt, outPath: out, dtype });
  const scorer = await LlamaScorer.load({ modelPath: out, threads: 1, contextSize: 512 });
  try {
    const text = realCode(2000).slice(500, 1400);
    const tokens = scorer.tokenize(text).slice(0, 200);
    assert.ok(tokens.length >= 150, `only ${tokens.length} tokens`);
    const weights = readWeights(ckpt);
    const theirs = await scorer.logProbs(tokens);
    const references: [string, Float64Array[]][] = [
      ["tfjs", await tfjsLogProbs(cfg, weights, tokens)],
      ["float64", referenceLogProbs(cfg, weights, tokens)],
    ];
    const worst: Record<string, number> = {};
    for (const [refName, ours] of references) {
      worst[refName] = 0;
      for (let pos = 0; pos < tokens.length; pos++) {
        const a = ours[pos]!, b = theirs[pos]!;
        assert.equal(b.length, cfg.vocab_size, "llama.cpp should give a probability for every row");
        let argA = 0, argB = 0;
        for (let t = 0; t < a.length; t++) {
          if (a[t]! > a[argA]!) argA = t;
          if (b[t]! > b[argB]!) argB = t;
          // Below e^-30 a float32 probability has too few bits for its log to compare.
          if (a[t]! > -30) worst[refName] = Math.max(worst[refName]!, Math.abs(a[t]! - b[t]!));
        }
        assert.equal(argB, argA, `argmax differs from ${refName} at position ${pos}`);
      }
      assert.ok(worst[refName]! <= tol, `largest log-prob difference from ${refName}: ${worst[refName]!.toExponential(2)} > ${tol}`);
    }
    console.log(`# ${name} (${dtype}): ${tokens.length} positions, max |dlogp| vs tfjs ${worst.tfjs!.toExponential(2)}, vs float64 ${worst.float64!.toExponential(2)}`);
    const targets = await scorer.targetLogProbs(tokens);
    assert.equal(targets.length, tokens.length - 1);
    assert.equal(targets[5], theirs[5]![tokens[6]!]);
    // Scoring only a completion (from token 100 on): the prompt's positions cost no distribution.
    const partial = await scorer.targetLogProbs(tokens, 100);
    assert.equal(partial[98], 0);
    assert.equal(partial[99], theirs[99]![tokens[100]!]);
    assert.equal(partial[tokens.length - 2], targets[tokens.length - 2]);
  } finally {
    await scorer.dispose();
  }
}

describe("GGUF export through llama.cpp", () => {
  it("loads, with the metadata and tensors llama.cpp expects", async () => {
    const ckpt = join(dir, "load");
    await writeTinyCheckpoint(ckpt);
    const out = join(dir, "load.gguf");
    const res = exportGguf({ checkpointDir: ckpt, outPath: out, dtype: "f32" });
    assert.equal(res.tensors, 2 + 2 * 12);
    const file = readGguf(out);
    assert.equal(file.metadata.get("general.architecture")?.value, "qwen2");
    assert.ok(!file.tensors.some((t) => t.name === "output.weight"), "tied embeddings: no output.weight");
    const model = await llama.loadModel({ modelPath: out, gpuLayers: 0 });
    try {
      assert.equal(model.fileInsights.trainContextSize, 1024);
      assert.equal(model.tokens.infill.prefixString, "<|fim_prefix|>");
      assert.equal(model.tokens.infill.suffixString, "<|fim_suffix|>");
      assert.equal(model.tokens.infill.middleString, "<|fim_middle|>");
    } finally {
      await model.dispose();
    }
  });

  it("tokenizes real code to the same ids as our tokenizer and Hugging Face's", async () => {
    const out = join(dir, "load.gguf");
    const model = await llama.loadModel({ modelPath: out, gpuLayers: 0 });
    try {
      const tok = await tinyTokenizer();
      const hf = new Tokenizer(tokenizerToJson(tok), {});
      const code = realCode(40_000);
      const ours = tok.encode(code);
      const theirs = [...model.tokenize(code)] as number[];
      assert.ok(code.length >= 34_000);
      assert.deepEqual(theirs, ours, "llama.cpp vs src/core/tokenizer");
      assert.deepEqual(hf.encode(code, { add_special_tokens: false }).ids, ours, "@huggingface/tokenizers vs src/core/tokenizer");
      assert.equal(model.detokenize(model.tokenize(code)), code);
    } finally {
      await model.dispose();
    }
  });

  it("f32, tied: log-probs equal our tfjs model's to 1e-4, argmax at every position", async () => {
    await checkParity("tied", {}, "f32", 1e-4);
  });

  it("f32, untied head (output.weight): log-probs equal our tfjs model's to 1e-4", async () => {
    await checkParity("untied", { tie_word_embeddings: false }, "f32", 1e-4);
  });

  it("llama architecture (no biases, untied): the q/k permutation llama.cpp expects, log-probs to 1e-4", async () => {
    await checkParity("llama", { model_type: "llama", tie_word_embeddings: false }, "f32", 1e-4);
    const file = readGguf(join(dir, "llama.gguf"));
    assert.equal(file.metadata.get("general.architecture")?.value, "llama");
    assert.ok(file.metadata.has("llama.rope.freq_base"));
  });

  it("f16 weights: loads and stays close to the f32 references", async () => {
    await checkParity("half", {}, "f16", 5e-2);
  });
});
