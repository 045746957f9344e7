// The frozen-model passes on llama.cpp agree with tfjs: DPO's reference log-probs of a pair,
// and the teacher's top-k targets (a student equal to the teacher has KL ~0 against the file
// llama.cpp wrote). A toy model with a 256-token context, saved and exported to GGUF.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { formatFimPrompt } from "../../../src/core/completion/fim-prompt";
import { TeacherTargetsReader } from "../../../src/core/formats/teacher-targets";
import type { Tokenizer } from "../../../src/core/tokenizer";
import type { Qwen2Model } from "../../../src/engine/model";
import { DistillRows } from "../../../src/engine/data/distill-rows";
import { distillLossFn } from "../../../src/engine/loss-fns";
import { encodePromptCompletion, encodeSharedPrompt, packDocuments, specialIds } from "../../../src/core/examples/encode-examples";
import { llamaCompletionLogProbs, llamaTopK, withLlamaScorer } from "../../../src/serve/llama-passes";
import { saveModelDir } from "../../../src/engine/model-store/model-dir";
import { scoreCompletions } from "../../../src/engine/inference/score";
import { writeTeacherTargetsWith } from "../../../src/engine/inference/teacher-pass";
import { useBackend } from "../../unit/posttrain/helpers";
import { toyModel, toyTokenizer, TOY_CODE } from "../../unit/posttrain/toy";

describe("frozen-model passes through llama.cpp", { timeout: 300_000 }, () => {
  const dir = fs.mkdtempSync(join(tmpdir(), "repotune-llama-passes-"));
  let tok: Tokenizer;
  let model: Qwen2Model;
  const modelDir = join(dir, "model");
  after(() => {
    model?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  before(async () => {
    assert.ok(await useBackend("wasm"));
    tok = await toyTokenizer();
    model = toyModel(tok, 11, 2, 256);
    await saveModelDir(modelDir, model, tok);
  });

  it("DPO reference log-probs: llama.cpp (f32 GGUF, exact scorer) equals the tfjs model to 1e-3", async () => {
    const rows = encodeSharedPrompt(tok, formatFimPrompt("export function addOne(a: number): number {\n  return ", "\n}\n"), ["a + 1;", "this.size * 2;"], 200)!;
    const viaTfjs = await scoreCompletions(model, rows, specialIds(tok).eos);
    const viaLlama = await withLlamaScorer(modelDir, (s) => llamaCompletionLogProbs(s, rows));
    assert.ok(viaLlama, "llama.cpp did not load");
    viaTfjs.forEach((t, i) => {
      const l = viaLlama.result[i]!;
      assert.equal(l.tokens, t.tokens);
      assert.ok(Math.abs(l.sum - t.sum) < 1e-3, `row ${i}: llama ${l.sum}, tfjs ${t.sum}`);
    });
  });

  it("teacher targets written by llama.cpp: the tfjs model as its own student has KL ~0", async () => {
    const rows = [...packDocuments(tok, TOY_CODE, 48).map((ids) => ({ ids, completionStart: 0 })), encodePromptCompletion(tok, formatFimPrompt("const total = ", "\n"), "items.length;", 48)!];
    const path = join(dir, "targets.bin");
    const k = 32;
    const written = await withLlamaScorer(modelDir, (s) => writeTeacherTargetsWith(rows, path, { k, vocabSize: model.config.vocab_size, teacherName: modelDir }, (row) => llamaTopK(s, row, k)));
    assert.equal(written?.result, true);
    const reader = TeacherTargetsReader.open(path);
    const data = new DistillRows(reader, 48, specialIds(tok).eos, 2);
    const kl = tf.tidy(() => {
      const batch = data.batch(Array.from({ length: reader.count }, (_, i) => i));
      const out = distillLossFn(model, { temperature: 2, alpha: 0.5 })(batch, { step: 0, micro: 0, seed: 0 });
      batch.dispose?.();
      if (out instanceof tf.Tensor) throw new Error("expected metrics");
      return out.metrics!.kl!.dataSync()[0]!;
    });
    reader.close();
    assert.ok(kl < 1e-4, `KL(llama.cpp teacher || tfjs copy) = ${kl}`);
  });

  it("a model with a context under 256 tokens is left to tfjs", async () => {
    const small = toyModel(tok, 12, 1, 96);
    const smallDir = join(dir, "small");
    await saveModelDir(smallDir, small, tok);
    small.dispose();
    const notes: string[] = [];
    assert.equal(await withLlamaScorer(smallDir, async () => 1, (m) => notes.push(m)), null);
    assert.match(notes.join(), /under 256/);
  });
});
