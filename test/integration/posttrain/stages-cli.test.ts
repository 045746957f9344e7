// The remaining stages end to end, at a few steps each (mechanics, not quality): the reward
// model reports a held-out accuracy, distillation writes compact teacher targets and a
// half-depth student, the report has every model's row, and `repotune eval` reads a model.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { tinyRun, TINY_SHAPE, TINY_STEPS, type TinyRunResult } from "./tiny-run";

/** The JSON object a --json command printed. */
interface EvalJson {
  engine: string;
  exactMatch: number;
  acceptedChars: number;
  editSimilarity: number;
  exactMatchCi: [number, number];
  acceptedCharsCi: [number, number];
  editSimilarityCi: [number, number];
  modes: { line?: { items: number }; block?: { items: number } };
  heldoutItems: number;
  preferenceItems: number;
  pairSources: { editor: number; synthetic: number };
}

function jsonOut(stdout: string): EvalJson {
  const start = stdout.search(/^\{/m);
  assert.ok(start >= 0, `no JSON in: ${stdout.slice(0, 200)}`);
  return JSON.parse(stdout.slice(start)) as EvalJson;
}

describe("reward model, distillation and repotune eval (few steps)", { timeout: 600_000 }, () => {
  const root = fs.mkdtempSync(join(tmpdir(), "repotune-stages-cli-"));
  let run: TinyRunResult;
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  before(async () => {
    tf.env().set("PROD", true);
    assert.ok(await tf.setBackend("wasm"));
    await tf.ready();
    // SFT long enough for the model to write something: the llama.cpp-vs-tfjs check compares text, not two empty strings.
    run = await tinyRun(root, 2, () => undefined, { ...TINY_STEPS, pretrain: 20, sft: 60, dpo: 4, reward: 4, distill: 4, extras: true, engine: "llama" },
      // llama.cpp evaluates models of 256 positions or more (smaller ones fall back to tfjs).
      { ...TINY_SHAPE, contextLength: 256 },
    );
  });

  it("the reward model is saved with its score head and reports a held-out pair accuracy", () => {
    const r = run.reward!;
    assert.equal(r.status, "completed");
    assert.ok(fs.existsSync(join(r.modelDir!, "score.safetensors")));
    assert.ok(r.heldoutItems > 0 && r.heldoutAccuracy !== null && r.heldoutAccuracy >= 0 && r.heldoutAccuracy <= 1);
    assert.equal(run.report.rewardModel?.items, run.report.stages.dpo?.preferenceItems);
  });

  it("distillation stores top-k teacher targets compactly and trains a student of half the layers", () => {
    const d = run.distill!;
    assert.equal(d.status, "completed");
    assert.equal(d.studentLayers, 1);
    const config = JSON.parse(fs.readFileSync(join(d.modelDir!, "config.json"), "utf8"));
    assert.equal(config.num_hidden_layers, 1);
    const t = d.teacherTargets!;
    // k ids (2 bytes: vocabulary < 65535) and k float16 log-probs per position, plus tokens and mask.
    const perPosition = t.bytes / t.positions;
    assert.ok(perPosition < t.k * 4 + 16, `${perPosition.toFixed(1)} bytes per position for k = ${t.k}`);
    assert.ok(Number.isFinite(d.train.metrics.kl) && Number.isFinite(d.train.metrics.ce));
    assert.ok(run.report.stages.student && run.report.stages.student.heldoutItems > 0);
    assert.ok(run.report.stages.student.latencyMsP50! > 0);
    // Evaluated as served: through llama.cpp on a GGUF export.
    assert.equal(run.report.config.evalEngine, "llama");
    // The frozen-model passes ran there too.
    assert.equal(d.teacherEngine, "llama");
    assert.equal(run.dpo.referenceEngine, "llama");
  });

  it("repotune eval --model DIR --json evaluates one model and finds its held-out pairs", () => {
    const model = run.dpo.modelDir!;
    const res = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "eval", "--model", model, "--data", join(root, "dataset"), "--json", "--probes", "10", "--engine", "tfjs", "--backend", "wasm"], {
      cwd: join(__dirname, "..", "..", ".."),
      encoding: "utf8",
    });
    assert.equal(res.status, 0, res.stderr);
    const out = jsonOut(res.stdout);
    assert.equal(out.heldoutItems, 10);
    // Every figure with its interval around it, and the per-mode counts adding up.
    for (const [m, ci] of [["exactMatch", "exactMatchCi"], ["acceptedChars", "acceptedCharsCi"], ["editSimilarity", "editSimilarityCi"]] as const) {
      assert.ok(typeof out[m] === "number" && Array.isArray(out[ci]) && out[ci][0] <= out[m] + 1e-12 && out[m] <= out[ci][1] + 1e-12, `${m} ${out[m]} outside ${JSON.stringify(out[ci])}`);
    }
    assert.equal((out.modes.line?.items ?? 0) + (out.modes.block?.items ?? 0), 10);
    assert.ok(out.preferenceItems > 0, "the DPO model folder's heldout-preferences.jsonl was not used");
    assert.equal(out.pairSources.synthetic, out.preferenceItems);
    assert.match(out.engine, /^tfjs/);
  });

  it("repotune eval through llama.cpp gives the same exact match as tfjs on the same probes", () => {
    const run1 = (engine: string) => {
      const res = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "eval", "--model", run.dpo.modelDir!, "--data", join(root, "dataset"), "--json", "--probes", "12", "--pairs", "0", "--engine", engine, "--backend", "wasm"], {
        cwd: join(__dirname, "..", "..", ".."),
        encoding: "utf8",
      });
      assert.equal(res.status, 0, res.stderr);
      return jsonOut(res.stdout);
    };
    const llama = run1("llama");
    const tfjs = run1("tfjs");
    assert.equal(llama.engine, "llama.cpp");
    // Greedy decoding of an f16 export against float32 tfjs, through the same completion
    // pipeline: the same suggestions, bar near-ties (a model that wrote nothing would score 0).
    assert.ok(tfjs.editSimilarity > 5, `tfjs wrote next to nothing: edit similarity ${tfjs.editSimilarity}`);
    assert.ok(Math.abs(llama.exactMatch - tfjs.exactMatch) <= 1 / 12 + 1e-9, `llama ${llama.exactMatch}, tfjs ${tfjs.exactMatch}`);
    assert.ok(Math.abs(llama.editSimilarity - tfjs.editSimilarity) <= 10, `edit similarity: llama ${llama.editSimilarity}, tfjs ${tfjs.editSimilarity}`);
    assert.ok(Math.abs(llama.acceptedChars - tfjs.acceptedChars) <= 0.1, `accepted chars: llama ${llama.acceptedChars}, tfjs ${tfjs.acceptedChars}`);
  });

  it("repotune eval without a held-out set says so and fails", () => {
    const res = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "eval", "--model", run.dpo.modelDir!, "--data", root], { cwd: join(__dirname, "..", "..", ".."), encoding: "utf8" });
    assert.notEqual(res.status, 0);
    assert.match(res.stderr, /no held-out set/);
  });
});
