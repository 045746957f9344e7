// A LoRA adapter served the way users' bases are: our GGUF adapter file loaded by llama.cpp
// (node-llama-cpp's createContext({ lora })) over the base GGUF, against our own forward of the
// same base with the same adapters attached (src/engine/lora): they must agree to 1e-3 in
// log-probability over f32 bases, Qwen2 and Llama (whose q/k rows GGUF stores permuted, so B's
// rows must follow), while the adapter moves the model far more than that. Over a Q8_0 base
// llama.cpp's own arithmetic is 0.3 from ours already (it quantises activations): there the
// adapter must add nothing to that gap.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { exportGguf, parseExportConfig, readGguf, readGgufModel, metaString, writeGgufLoraAdapter } from "../../../src/core/formats/gguf";
import { adapterFactors, attachLora, DEFAULT_TARGET_MODULES, type LoraAdapters } from "../../../src/engine/lora";
import { seededRandom } from "../../../src/core/random/seeded-random";
import { LlamaScorer } from "../../../src/serve/llama-scorer";
import { compareLogProbs } from "./helpers/compare-log-probs";
import { realCode } from "./helpers/real-code";
import { tfjsLogProbs } from "./helpers/tfjs-reference";
import { writeTinyCheckpoint, type TinyConfig } from "./helpers/tiny-checkpoint";

const dir = mkdtempSync(join(tmpdir(), "repotune-lora-gguf-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const LORA = { r: 8, alpha: 16, dropout: 0, targetModules: [...DEFAULT_TARGET_MODULES] };

/** Trained-looking adapters: B is zero when attached (the base unchanged), so give it values. */
function randomiseB(adapters: LoraAdapters, seed: number): void {
  const random = seededRandom(seed);
  for (const name of adapters.targets) {
    const b = adapters.pair(name)!.b;
    const values = Float32Array.from({ length: b.size }, () => (2 * random() - 1) * 0.02);
    tf.tidy(() => b.assign(tf.tensor(values, b.shape)));
  }
}

describe("GGUF LoRA adapters in llama.cpp", () => {
  const cases = [
    { name: "qwen2-f32", dtype: "f32", config: {} },
    { name: "qwen2-q8_0", dtype: "q8_0", config: {} },
    { name: "llama-f32", dtype: "f32", config: { model_type: "llama" } },
  ] as const satisfies { name: string; dtype: "f32" | "q8_0"; config: Partial<TinyConfig> }[];
  for (const c of cases) {
    it(`${c.name}: llama.cpp's base + adapter and ours agree to 1e-3 in log-probability`, async () => {
      const ckpt = join(dir, c.name);
      const cfg: TinyConfig = await writeTinyCheckpoint(ckpt, { seed: 11, config: { hidden_size: 128, intermediate_size: 256, ...c.config } });
      const basePath = join(dir, `${c.name}.gguf`);
      exportGguf({ checkpointDir: ckpt, outPath: basePath, dtype: c.dtype });
      // Our forward runs on what the base file holds (Q8_0 dequantised), as llama.cpp does.
      const base = readGgufModel(basePath);
      let adapterPath = "";
      const withAdapter = (model: Parameters<NonNullable<Parameters<typeof tfjsLogProbs>[3]>>[0]) => {
        const adapters = attachLora(model, LORA, { seed: 3 });
        randomiseB(adapters, 5);
        const { factors, rank, alpha } = adapterFactors(adapters);
        adapterPath = join(dir, `${c.name}-adapter.gguf`);
        const written = writeGgufLoraAdapter(adapterPath, { base: parseExportConfig(JSON.parse(readFileSync(join(ckpt, "config.json"), "utf8"))), rank, alpha, factors, name: `${c.name} adapter` });
        assert.equal(written.tensors, 2 * cfg.num_hidden_layers * DEFAULT_TARGET_MODULES.length);
      };
      const plain = await LlamaScorer.load({ modelPath: basePath, threads: 1, contextSize: 512 });
      let tokens: number[];
      let baseTheirs: Float64Array[];
      try {
        tokens = plain.tokenize(realCode(2000).slice(500, 1400)).slice(0, 160);
        baseTheirs = await plain.logProbs(tokens);
      } finally {
        await plain.dispose();
      }
      const ours = await tfjsLogProbs(cfg, base.tensors, tokens, withAdapter);
      // How far llama.cpp's base alone is from ours: f32 ~2e-5; Q8_0 ~0.3, because llama.cpp's
      // Q8_0 product quantises the activations to 8 bits too (ggml's vec_dot_type), which ours does not.
      const baseGap = compareLogProbs(await tfjsLogProbs(cfg, base.tensors, tokens), baseTheirs).worst;
      const file = readGguf(adapterPath);
      assert.equal(metaString(file, "general.type"), "adapter");
      assert.equal(metaString(file, "general.architecture"), ("model_type" in c.config ? c.config.model_type : "qwen2"));
      assert.equal(metaString(file, "adapter.type"), "lora");
      assert.ok(file.tensors.some((t) => t.name === "blk.0.attn_q.weight.lora_a" && t.shape.join() === [LORA.r, cfg.hidden_size].join()), "lora_a as PEFT's [r, in] (ggml's ne [n_in, r])");
      const scorer = await LlamaScorer.load({ modelPath: basePath, threads: 1, contextSize: 512, lora: { path: adapterPath } });
      try {
        const theirs = await scorer.logProbs(tokens);
        const adapted = compareLogProbs(ours, theirs);
        const moved = compareLogProbs(ours, baseTheirs);
        console.log(`# ${c.name}: ${tokens.length} positions, max |dlogp| (p > 1e-3) with the adapter ${adapted.worst.toExponential(2)} (base alone ${baseGap.toExponential(2)}), argmax agrees ${(100 * adapted.argmaxAgree).toFixed(1)}%; the adapter moves the base by ${moved.worst.toFixed(3)}`);
        if (c.dtype === "f32") assert.ok(adapted.worst <= 1e-3, `max |dlogp| ${adapted.worst} > 1e-3`);
        // Over a Q8_0 base the adapter (kept F32) adds no error of its own to the quantised base's.
        else assert.ok(adapted.worst <= 1.5 * baseGap + 1e-3, `max |dlogp| ${adapted.worst} with the adapter, ${baseGap} without`);
        assert.ok(adapted.argmaxAgree >= 0.95, `argmax agrees at only ${(100 * adapted.argmaxAgree).toFixed(1)}% of positions`);
        assert.ok(moved.worst > 0.05, `the adapter should change the model (it moved log-probs by only ${moved.worst})`);
      } finally {
        await scorer.dispose();
      }
    });
  }
});
