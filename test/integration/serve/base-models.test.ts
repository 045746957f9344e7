// Bases read the way users have them: Hugging Face folders (f32/bf16, one file or shards,
// Qwen2ForCausalLM and LlamaForCausalLM) and GGUF files (our export, llama.cpp's layout with
// Llama's q/k rows permuted), each with its own vocabulary; the real Qwen2 vocabulary from
// llama.cpp's repository against its expected ids; and every broken input refused by name.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { readBaseModel } from "../../../src/core/formats/base-model";
import { exportGguf, readGguf, readGgufModel, tokenizerFromGguf, writeGgufFile, GGUF_TOKEN_TYPE } from "../../../src/core/formats/gguf";
import { str, u32, i32s, strings, type GgufMetadata } from "../../../src/core/formats/gguf/types";
import { writeSafetensors, type TensorToWrite } from "../../../src/core/formats/safetensors";
import { bf16BitsToF32, f32ToBf16Bits } from "../../../src/core/formats/float16";
import { openModel } from "../../../src/engine/model-store/model-source";
import { selectBackend } from "../../../src/engine/backends/select";
import { QWEN25_ADDED_TOKENS, QWEN25_FIRST_ADDED_ID, qwen2VocabFiles } from "../../helpers/llama-source";
import { realCode } from "./helpers/real-code";
import { tfjsLogProbs } from "./helpers/tfjs-reference";
import { tinyTokenizer, tinyWeights, writeTinyCheckpoint, TINY, type TinyConfig } from "./helpers/tiny-checkpoint";

const dir = mkdtempSync(join(tmpdir(), "repotune-bases-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const LLAMA: TinyConfig = { ...TINY, model_type: "llama", tie_word_embeddings: false };

/** A Hugging Face folder in bf16, its weights split over two shards with an index, as the hub stores big models. */
async function writeShardedBf16(out: string, cfg: TinyConfig, seed: number): Promise<Map<string, Float32Array>> {
  await writeTinyCheckpoint(out, { seed, config: cfg });
  rmSync(join(out, "model.safetensors"));
  const weights = tinyWeights(cfg, seed);
  const rounded = new Map<string, Float32Array>();
  const shards: [string, TensorToWrite][][] = [[], []];
  const weightMap: Record<string, string> = {};
  [...weights].forEach(([name, t], i) => {
    const bits = Uint16Array.from(t.data, (x) => f32ToBf16Bits(x));
    rounded.set(name, Float32Array.from(bits, (b) => bf16BitsToF32(b)));
    shards[i % 2]!.push([name, { dtype: "BF16", shape: t.shape, data: rounded.get(name)! }]);
    weightMap[name] = `model-0000${(i % 2) + 1}-of-00002.safetensors`;
  });
  shards.forEach((s, i) => writeSafetensors(join(out, `model-0000${i + 1}-of-00002.safetensors`), s));
  writeFileSync(join(out, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
  writeFileSync(join(out, "config.json"), JSON.stringify({ ...config, torch_dtype: "bfloat16" }));
  writeFileSync(join(out, "generation_config.json"), JSON.stringify({ eos_token_id: [3, 4] }));
  return rounded;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe("reading a base model", () => {
  it("a sharded bf16 Llama folder: config, every tensor, the stop ids of generation_config.json", async () => {
    const hf = join(dir, "llama-hf");
    const rounded = await writeShardedBf16(hf, LLAMA, 11);
    const base = readBaseModel(hf);
    assert.equal(base.format, "hf");
    assert.equal(base.architecture.name, "llama");
    assert.equal(base.config.model_type, "llama");
    assert.equal(base.config.attention_bias, false);
    assert.equal(base.config.tie_word_embeddings, false);
    assert.deepEqual(base.stopTokenIds, [3, 4]);
    assert.equal(base.tensors.size, rounded.size);
    for (const [name, data] of rounded) assert.equal(maxDiff(base.tensors.get(name)!.data, data), 0, name);
  });

  for (const arch of ["qwen2", "llama"] as const) {
    it(`${arch}: a GGUF reads back to the Hugging Face tensors exactly (llama's q/k permutation undone) with the same vocabulary`, async () => {
      const cfg = arch === "llama" ? LLAMA : TINY;
      const hf = join(dir, `${arch}-f32`);
      await writeTinyCheckpoint(hf, { seed: 5, config: cfg });
      const gguf = join(dir, `${arch}.gguf`);
      exportGguf({ checkpointDir: hf, outPath: gguf, dtype: "f32" });
      const fromHf = readBaseModel(hf);
      const fromGguf = readGgufModel(gguf);
      assert.equal(fromGguf.architecture.name, arch);
      for (const key of ["hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "vocab_size", "tie_word_embeddings", "attention_bias", "max_position_embeddings"] as const) {
        assert.equal(fromGguf.config[key], fromHf.config[key], key);
      }
      assert.equal(fromGguf.config.rms_norm_eps, Math.fround(fromHf.config.rms_norm_eps));
      assert.deepEqual([...fromGguf.tensors.keys()].sort(), [...fromHf.tensors.keys()].sort());
      for (const [name, t] of fromHf.tensors) assert.equal(maxDiff(fromGguf.tensors.get(name)!.data, t.data), 0, name);
      const code = realCode(20_000);
      assert.deepEqual(fromGguf.tokenizer.encode(code), (await tinyTokenizer()).encode(code));
    });
  }

  it("the engine opens a GGUF base and computes what the Hugging Face weights compute", async () => {
    await selectBackend("wasm");
    const gguf = join(dir, "llama.gguf");
    const opened = openModel({ basePath: gguf });
    try {
      const tokens = (await tinyTokenizer()).encode(realCode(3000)).slice(0, 64);
      const logits = opened.model.logits({ batchSize: 1, seqLen: tokens.length, inputIds: Int32Array.from(tokens) });
      const data = (await logits.data()) as Float32Array;
      logits.dispose();
      const ref = await tfjsLogProbs(LLAMA, tinyWeights(LLAMA, 5), tokens);
      const V = LLAMA.vocab_size;
      let worst = 0;
      for (let pos = 0; pos < tokens.length; pos++) {
        const row = data.subarray(pos * V, pos * V + V);
        const max = Math.max(...row);
        let z = 0;
        for (const v of row) z += Math.exp(v - max);
        for (let t = 0; t < V; t++) worst = Math.max(worst, Math.abs(row[t]! - max - Math.log(z) - ref[pos]![t]!));
      }
      assert.ok(worst < 1e-4, `log-probs differ by ${worst}`);
    } finally {
      opened.model.dispose();
    }
  });

  it("the real Qwen2 vocabulary (llama.cpp's ggml-vocab-qwen2.gguf) encodes llama.cpp's test texts to its expected ids", () => {
    const files = qwen2VocabFiles();
    const tok = tokenizerFromGguf(readGguf(files.gguf), files.gguf);
    const inputs = readFileSync(files.inp, "utf8").split("\n__ggml_vocab_test__\n");
    const expected = readFileSync(files.out, "utf8").split("\n");
    if (inputs.at(-1) === "") inputs.pop();
    assert.ok(inputs.length >= 40, `${inputs.length} test texts`);
    inputs.forEach((text, i) => {
      const want = expected[i]!.trim() === "" ? [] : expected[i]!.trim().split(/\s+/).map(Number);
      assert.deepEqual(tok.encode(text), want, `text ${i}: ${JSON.stringify(text.slice(0, 40))}`);
    });
  });

  it("Qwen2.5-Coder's FIM and repository tokens, set where Qwen2's release left [PAD] rows, are found by their ids", () => {
    const files = qwen2VocabFiles();
    const source = readGguf(files.gguf);
    const tokens = [...(source.metadata.get("tokenizer.ggml.tokens")!.value as string[])];
    const types = [...(source.metadata.get("tokenizer.ggml.token_type")!.value as number[])];
    QWEN25_ADDED_TOKENS.forEach((t, i) => {
      assert.match(tokens[QWEN25_FIRST_ADDED_ID + i]!, /^\[PAD/);
      tokens[QWEN25_FIRST_ADDED_ID + i] = t;
      types[QWEN25_FIRST_ADDED_ID + i] = GGUF_TOKEN_TYPE.control;
    });
    const meta: GgufMetadata = new Map(source.metadata);
    meta.set("tokenizer.ggml.tokens", strings(tokens));
    meta.set("tokenizer.ggml.token_type", i32s(types));
    const out = join(dir, "qwen25-vocab.gguf");
    writeGgufFile(out, meta, []);
    const tok = tokenizerFromGguf(readGguf(out), out);
    const ids = Object.fromEntries(["<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"].map((t) => [t, tok.addedTokenId(t)]));
    assert.deepEqual(ids, { "<|endoftext|>": 151643, "<|fim_prefix|>": 151659, "<|fim_middle|>": 151660, "<|fim_suffix|>": 151661, "<|fim_pad|>": 151662, "<|repo_name|>": 151663, "<|file_sep|>": 151664 });
    assert.deepEqual(tok.encode("<|repo_name|>demo\n<|file_sep|>a.py\n<|fim_prefix|>def f(", { allowSpecial: true }).filter((id) => id >= 151643), [151663, 151664, 151659]);
    // Without allowSpecial the markers are text, as in a repository that quotes them.
    assert.ok(!tok.encode("<|fim_prefix|>").includes(151659));
  });
});

describe("a broken base is refused with the file and the reason", () => {
  it("unknown architecture, SentencePiece vocabulary, missing tokenizer.json, truncated GGUF, missing shard", async () => {
    const gguf = join(dir, "qwen2.gguf");
    const file = readGguf(gguf);
    const other = new Map(file.metadata);
    other.set("general.architecture", str("mamba"));
    writeGgufFile(join(dir, "mamba.gguf"), other, []);
    assert.throws(() => readGgufModel(join(dir, "mamba.gguf")), /mamba\.gguf.*architecture "mamba" is not one RepoTune trains/);

    const spm = new Map(file.metadata);
    spm.set("tokenizer.ggml.model", str("llama"));
    writeGgufFile(join(dir, "spm.gguf"), spm, []);
    assert.throws(() => tokenizerFromGguf(readGguf(join(dir, "spm.gguf")), "spm.gguf"), /spm\.gguf: its vocabulary is "llama" \(SentencePiece/);

    const pre = new Map(file.metadata);
    pre.set("tokenizer.ggml.pre", str("deepseek-coder"));
    pre.set("general.file_type", u32(0));
    writeGgufFile(join(dir, "pre.gguf"), pre, []);
    assert.throws(() => tokenizerFromGguf(readGguf(join(dir, "pre.gguf")), "pre.gguf"), /pre-tokenizer "deepseek-coder"/);

    const cut = join(dir, "cut.gguf");
    copyFileSync(gguf, cut);
    truncateSync(cut, Math.floor(statSync(cut).size * 0.7));
    assert.throws(() => readBaseModel(cut), /cut\.gguf.*(truncated|beyond the end of the file)/);

    const noTok = join(dir, "no-tokenizer");
    await writeTinyCheckpoint(noTok, { config: TINY });
    rmSync(join(noTok, "tokenizer.json"));
    assert.throws(() => readBaseModel(noTok), /no-tokenizer: no tokenizer\.json/);

    const sharded = join(dir, "missing-shard");
    await writeShardedBf16(sharded, LLAMA, 3);
    rmSync(join(sharded, "model-00002-of-00002.safetensors"));
    assert.throws(() => readBaseModel(sharded), /names the shard model-00002-of-00002\.safetensors, which is missing/);

    mkdirSync(join(dir, "empty"));
    assert.throws(() => readBaseModel(join(dir, "empty")), /config\.json: missing/);
    assert.throws(() => readBaseModel(join(dir, "nothing-here")), /no such file or folder/);
  });
});
