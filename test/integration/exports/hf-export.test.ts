// `repotune export --format hf`: PyTorch (Debian's, through test/reference/hf_folder_logits.py)
// loads the exported model.safetensors by Hugging Face's tensor names with its config.json, and
// the reference Qwen2 reproduces our engine's logits from them: f32 exactly (to 1e-4), bf16
// within its rounding; for an adapter run, both the merged folder and the base with the PEFT
// adapter folder (merged as PEFT does) give the adapted model's logits.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { exportHf, type HfExportOptions } from "../../../src/core/formats/hf-export/export-hf";
import { writeHfModelFolder } from "../../../src/core/formats/hf-export/write-model-folder";
import { readSafetensors, writeSafetensors } from "../../../src/core/formats/safetensors";
import { importModelFolder, importSource } from "../../../src/core/runs/imported-model";
import { chooseRunModel } from "../../../src/core/runs/run-model-choice";
import { saveCheckpoint } from "../../../src/engine/checkpoint";
import { adapterFiles, attachLora, DEFAULT_TARGET_MODULES } from "../../../src/engine/lora";
import { makeQwen2Config, Qwen2Model, type Qwen2Config, type TokenBatch } from "../../../src/engine/model";
import { requireTorch, skipWithoutTorch, SYSTEM_PYTHON } from "../../unit/engine/helpers/torch-reference";
import { useWasmBackend } from "../../unit/engine/helpers/wasm-backend";

const TOKENIZER = readFileSync(join(__dirname, "..", "..", "fixtures", "tokenizer", "hf-rust.tokenizer.json"), "utf8");
const VOCAB = 1024; // the fixture's 1,000 learned tokens and its added ones, rounded up as Qwen pads
const SCRIPT = join(__dirname, "..", "..", "reference", "hf_folder_logits.py");
const root = mkdtempSync(join(tmpdir(), "repotune-hf-export-"));
after(() => rmSync(root, { recursive: true, force: true }));

const QWEN2 = makeQwen2Config({ vocab_size: VOCAB, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 128, tie_word_embeddings: false, initializer_range: 0.3 });
const LLAMA = makeQwen2Config({
  vocab_size: VOCAB, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 128,
  tie_word_embeddings: true, initializer_range: 0.3, model_type: "llama", architectures: ["LlamaForCausalLM"], attention_bias: false, rope_theta: 500000, rms_norm_eps: 1e-5,
});
const probe: TokenBatch = { batchSize: 2, seqLen: 12, inputIds: Int32Array.from({ length: 24 }, (_, i) => (i * 37 + 5) % 1000) };

function ourLogits(model: Qwen2Model): Float32Array {
  const t = model.logits(probe);
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}

function torchLogits(folder: string, adapter?: string): Float32Array {
  const ids = join(root, `ids-${Math.random().toString(16).slice(2)}.json`);
  const out = `${ids}.safetensors`;
  writeFileSync(ids, JSON.stringify({ batchSize: probe.batchSize, seqLen: probe.seqLen, inputIds: [...probe.inputIds] }));
  const r = spawnSync(SYSTEM_PYTHON, [SCRIPT, folder, ids, out, ...(adapter ? [adapter] : [])], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return readSafetensors(out).tensors.get("logits")!.data;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

function checkpoint(name: string, config: Qwen2Config, model: Qwen2Model, files?: Record<string, ReturnType<typeof adapterFiles>[keyof ReturnType<typeof adapterFiles>]>): string {
  return saveCheckpoint(join(root, name), { step: 3, config, weights: model.params, tokenizer: TOKENIZER, ...(files ? { files } : {}) });
}

const exportOptions = (checkpointDir: string, outDir: string, extra: Partial<HfExportOptions> = {}): HfExportOptions => ({
  checkpointDir, outDir, dtype: "f32", role: "teacher", row: "sft", reportPath: null, manifestPath: null, basePath: null, baseModelId: null, repoName: "demo", ...extra,
});

describe("Hugging Face model folder export, checked by PyTorch", { skip: skipWithoutTorch() }, () => {
  before(async () => {
    requireTorch();
    await useWasmBackend();
  });

  for (const [label, config] of [["Qwen2ForCausalLM (q/k/v bias, untied head, GQA)", QWEN2], ["LlamaForCausalLM (no bias, tied head)", LLAMA]] as const) {
    it(`${label}: f32 logits equal ours to 1e-4, bf16 within its rounding`, (t) => {
      const model = Qwen2Model.create(config, { seed: 5 });
      const ours = ourLogits(model);
      const ckpt = checkpoint(`ckpt-${config.model_type}`, config, model);
      const f32 = join(root, `hf-${config.model_type}-f32`);
      const r = exportHf(exportOptions(ckpt, f32));
      assert.deepEqual([...r.model.files].sort(), ["README.md", "config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]);
      for (const left of ["optimizer.safetensors", "trainer_state.json", "checkpoint.json"]) assert.ok(!existsSync(join(f32, left)), `${left} was exported`);
      const cfg = JSON.parse(readFileSync(join(f32, "config.json"), "utf8")) as Record<string, unknown>;
      assert.deepEqual(cfg.architectures, [config.architectures[0]]);
      assert.equal(cfg.model_type, config.model_type);
      assert.equal(cfg.torch_dtype, "float32");
      // A tied head is not stored twice; an untied one is there by its Hugging Face name.
      const names = [...readSafetensors(join(f32, "model.safetensors")).tensors.keys()];
      assert.equal(names.includes("lm_head.weight"), !config.tie_word_embeddings);
      const d32 = maxDiff(torchLogits(f32), ours);
      assert.ok(d32 < 1e-4, `f32: max |logit difference| ${d32}`);
      const bf16 = join(root, `hf-${config.model_type}-bf16`);
      exportHf(exportOptions(ckpt, bf16, { dtype: "bf16" }));
      assert.equal((JSON.parse(readFileSync(join(bf16, "config.json"), "utf8")) as { torch_dtype: string }).torch_dtype, "bfloat16");
      const dbf = maxDiff(torchLogits(bf16), ours);
      const scale = Math.max(...ours.map(Math.abs));
      t.diagnostic(`max |logit difference| f32 ${d32.toExponential(2)}, bf16 ${dbf.toExponential(2)} (logits up to ${scale.toFixed(2)})`);
      assert.ok(dbf > 0 && dbf < 0.05 * scale, `bf16: max |logit difference| ${dbf} of logits up to ${scale}`);
      model.dispose();
    });
  }

  it("an adapter run: the merged folder, and the base with the PEFT adapter folder, both give the adapted logits", (t) => {
    const model = Qwen2Model.create(QWEN2, { seed: 9 });
    const baseDir = join(root, "hf-base");
    const baseCkpt = checkpoint("ckpt-base", QWEN2, model);
    exportHf(exportOptions(baseCkpt, baseDir));
    const lora = attachLora(model, { r: 4, alpha: 8, dropout: 0, targetModules: [...DEFAULT_TARGET_MODULES] }, { seed: 2 });
    for (const [key, v] of lora.params) if (key.includes("lora_B")) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.2, "float32", 3)));
    const adapted = ourLogits(model);
    const ckpt = checkpoint("ckpt-lora", QWEN2, model, adapterFiles(lora, null));
    const out = join(root, "hf-lora");
    const r = exportHf(exportOptions(ckpt, out, { basePath: "/home/u/.cache/qwen.gguf", baseModelId: "Qwen/Qwen2.5-Coder-0.5B" }));
    assert.ok(r.adapter);
    const adapterConfig = JSON.parse(readFileSync(join(out, "adapter", "adapter_config.json"), "utf8")) as Record<string, unknown>;
    assert.equal(adapterConfig.base_model_name_or_path, "Qwen/Qwen2.5-Coder-0.5B");
    assert.equal(adapterConfig.peft_type, "LORA");
    assert.ok(maxDiff(ourLogits(model), torchLogits(baseDir)) > 1e-2, "the adapter changes nothing: the test would prove nothing");
    const merged = maxDiff(torchLogits(out), adapted);
    const peft = maxDiff(torchLogits(baseDir, join(out, "adapter")), adapted);
    t.diagnostic(`max |logit difference| merged ${merged.toExponential(2)}, base + PEFT ${peft.toExponential(2)}`);
    assert.ok(merged < 1e-4, `merged folder: ${merged}`);
    assert.ok(peft < 1e-4, `base + PEFT adapter: ${peft}`);
    const card = readFileSync(r.card, "utf8");
    assert.match(card, /^---\nlibrary_name: transformers\n[\s\S]*base_model: "Qwen\/Qwen2\.5-Coder-0\.5B"\n[\s\S]* {2}- peft\n[\s\S]*---\n/);
    assert.match(card, /LoRA: rank 4, alpha 8, dropout 0, on /);
    assert.match(card, /read from qwen\.gguf \(dequantised\)/);
    // Brought back: the adapter folder merged onto the base folder is the adapted model again.
    const imported = importModelFolder(join(out, "adapter"), join(root, "workspace"), baseDir);
    assert.equal(imported.kind, "adapter");
    const back = maxDiff(torchLogits(imported.dir), adapted);
    assert.ok(back < 1e-4, `imported adapter merged onto its base: ${back}`);
    assert.throws(() => importModelFolder(join(out, "adapter"), join(root, "workspace"), null), /is a LoRA adapter: give the Hugging Face folder of its base with --base/);
    lora.dispose();
    model.dispose();
  });

  it("import refuses what it cannot complete with, saying why", () => {
    const empty = join(root, "empty-output");
    mkdirSync(join(empty, "checkpoint-10"), { recursive: true });
    assert.throws(() => importModelFolder(empty, join(root, "workspace"), null), /holds no model to import: expected config\.json with model\.safetensors .* or checkpoint-N folders/);
    // A trainer's output folder: the newest checkpoint-N is the one imported.
    const trl = join(root, "trl-output");
    mkdirSync(trl, { recursive: true });
    cpSync(join(root, "hf-qwen2-f32"), join(trl, "checkpoint-20"), { recursive: true });
    cpSync(join(root, "hf-llama-f32"), join(trl, "checkpoint-100"), { recursive: true });
    assert.equal(importSource(trl).dir, join(trl, "checkpoint-100"));
    const noFim = join(root, "no-fim");
    cpSync(join(root, "hf-qwen2-f32"), noFim, { recursive: true });
    const tok = JSON.parse(TOKENIZER) as { added_tokens: { content: string }[] };
    tok.added_tokens = tok.added_tokens.filter((t) => !t.content.startsWith("<|fim_"));
    writeFileSync(join(noFim, "tokenizer.json"), JSON.stringify(tok));
    assert.throws(() => importModelFolder(noFim, join(root, "workspace"), null), /no <\|fim_prefix\|>, <\|fim_suffix\|>, <\|fim_middle\|> token\(s\): RepoTune completes by fill-in-the-middle/);
  });

  it("a reward model becomes Qwen2ForSequenceClassification: the decoder and score.weight in one file", () => {
    const model = Qwen2Model.create(QWEN2, { seed: 4 });
    const ckpt = checkpoint("ckpt-reward", QWEN2, model);
    model.dispose();
    const score = join(root, "score.safetensors");
    writeSafetensors(score, [["score.weight", { dtype: "F32", shape: [1, 32], data: Float32Array.from({ length: 32 }, (_, i) => i / 32) }]]);
    const out = join(root, "hf-reward");
    writeHfModelFolder(ckpt, out, "f32", null, { weightsFile: score, architecture: "Qwen2ForSequenceClassification" });
    const cfg = JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as Record<string, unknown>;
    assert.deepEqual(cfg.architectures, ["Qwen2ForSequenceClassification"]);
    assert.equal(cfg.num_labels, 1);
    assert.equal(typeof cfg.pad_token_id, "number"); // transformers pools the last token that is not padding
    const tensors = readSafetensors(join(out, "model.safetensors")).tensors;
    assert.deepEqual([...tensors.get("score.weight")!.data].slice(0, 3), [0, 1 / 32, 2 / 32]);
    assert.ok(tensors.has("model.layers.1.mlp.down_proj.weight"));
  });

  it("writes tokenizer_config.json and generation_config.json from the tokenizer it ships", () => {
    const dir = join(root, "hf-qwen2-f32");
    const tc = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")) as { tokenizer_class: string; eos_token: string; pad_token: string; model_max_length: number; added_tokens_decoder: Record<string, { content: string }> };
    const added = (JSON.parse(TOKENIZER) as { added_tokens: { id: number; content: string }[] }).added_tokens;
    assert.equal(tc.tokenizer_class, "PreTrainedTokenizerFast");
    assert.deepEqual(Object.entries(tc.added_tokens_decoder).map(([id, t]) => [Number(id), t.content]), added.map((t) => [t.id, t.content]));
    assert.equal(tc.eos_token, "<|endoftext|>");
    assert.equal(tc.model_max_length, 128);
    const gen = JSON.parse(readFileSync(join(dir, "generation_config.json"), "utf8")) as { eos_token_id: number; do_sample: boolean };
    assert.equal(gen.eos_token_id, added.find((t) => t.content === "<|endoftext|>")!.id);
    assert.equal(gen.do_sample, false);
  });
});

describe("which model of a run is exported", () => {
  // A finished run as the orchestrator leaves it: OUT/runs/ID/events.jsonl ending with "done",
  // report.json and run.json beside it, the dataset's manifest under OUT/dataset.
  function fakeRun(): { out: string; runDir: string; sft: string; dpo: string } {
    const out = join(root, "data-folder");
    const runDir = join(out, "runs", "20261203-120000-abcd");
    mkdirSync(runDir, { recursive: true });
    const model = (name: string) => {
      const d = join(out, "stages", name, "model");
      mkdirSync(d, { recursive: true });
      for (const f of ["config.json", "tokenizer.json", "model.safetensors"]) writeFileSync(join(d, f), "{}");
      return d;
    };
    const sft = model("sft");
    const dpo = model("dpo");
    const done = { v: 1, time: "2026-12-03T12:01:00Z", type: "done", artifacts: { sftModel: sft, dpoModel: dpo, teacher: dpo, base: "/models/models--Qwen--Qwen2.5-Coder-0.5B/snapshots/abc" } };
    writeFileSync(join(runDir, "events.jsonl"), `${JSON.stringify({ v: 1, time: "2026-12-03T12:00:00Z", type: "log", level: "info", message: "start" })}\n${JSON.stringify(done)}\n`);
    writeFileSync(join(runDir, "report.json"), "{}");
    writeFileSync(join(runDir, "run.json"), JSON.stringify({ runId: "20261203-120000-abcd", job: { repo: "/home/u/src/my-repo" }, status: "done" }));
    writeFileSync(join(out, "runs", "latest"), "20261203-120000-abcd");
    return { out, runDir, sft, dpo };
  }

  it("the teacher (DPO) by default, from a run folder or from the data folder's latest run, with its report and repository", () => {
    const { out, runDir, sft, dpo } = fakeRun();
    for (const path of [runDir, out]) {
      const c = chooseRunModel(path);
      assert.equal(c.checkpointDir, dpo);
      assert.equal(c.row, "dpo");
      assert.equal(c.reportPath, join(runDir, "report.json"));
      assert.equal(c.repoName, "my-repo");
      assert.equal(c.basePath, "/models/models--Qwen--Qwen2.5-Coder-0.5B/snapshots/abc");
    }
    assert.equal(chooseRunModel(runDir, "sft").checkpointDir, sft);
    assert.throws(() => chooseRunModel(runDir, "student"), /no student model; this run has: teacher, dpo, sft/);
    assert.equal(chooseRunModel(dpo).role, "checkpoint");
  });

  it("refuses a run that has not finished, saying what to export instead", () => {
    const runDir = join(root, "unfinished", "runs", "r1");
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, "events.jsonl"), `${JSON.stringify({ v: 1, time: "2026-12-03T12:00:00Z", type: "log", level: "info", message: "start" })}\n`);
    writeFileSync(join(runDir, "run.json"), JSON.stringify({ runId: "r1", job: { repo: "/r" }, status: "running" }));
    assert.throws(() => chooseRunModel(runDir), /has not finished .* export a finished run, or a checkpoint folder/);
  });
});
