// The stage cores on a toy Qwen2 model: DPO starts at log 2 with its reference filled from the
// policy and moves the margin up; the teacher-targets file lines up with the rows (a student
// equal to its teacher has KL ~0 through file, batching and loss); the reward head reads each
// row's last token whatever the padding; a cancelled stage resumes to the same losses.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { formatFimPrompt, parseFimPrompt } from "../../../src/core/completion/fim-prompt";
import { TeacherTargetsReader } from "../../../src/core/formats/teacher-targets";
import type { Tokenizer } from "../../../src/core/tokenizer";
import { DistillRows } from "../../../src/engine/data/distill-rows";
import { distillLossFn, dpoLossFn, fillReferenceLogProbs, rewardLossFn } from "../../../src/engine/loss-fns";
import { encodePromptCompletion, packDocuments, specialIds } from "../../../src/core/examples/encode-examples";
import { trainLm } from "../../../src/pipeline/training/lm-training";
import { encodePairs, PairRows } from "../../../src/engine/data/pair-rows";
import { newRewardHead, rewards, RewardScorer } from "../../../src/engine/reward/reward-model";
import { RewardReranker, thresholdFromPairs } from "../../../src/engine/reward/reward-reranker";
import { choose } from "../../../src/core/completion/reranker";
import { studentFromTeacher, studentLayerMap } from "../../../src/engine/model/student-init";
import { writeTeacherTargets } from "../../../src/engine/inference/teacher-pass";
import { trainLoop } from "../../../src/engine/train-loop";
import { Qwen2Model } from "../../../src/engine/model";
import { useBackend } from "./helpers";
import { toyModel, toyTokenizer, TOY_CODE } from "./toy";

const dir = fs.mkdtempSync(join(tmpdir(), "repotune-stages-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const PAIRS = [
  { prompt: formatFimPrompt("export function addOne(a: number): number {\n  return ", "\n}\n"), chosen: "a + 1;", rejected: "b - 2;", source: "synthetic" as const },
  { prompt: formatFimPrompt("class Box {\n  get area(): number {\n    return ", "\n  }\n}\n"), chosen: "this.size * this.size;", rejected: "0;", source: "synthetic" as const },
  { prompt: formatFimPrompt("const total = ", "\n"), chosen: "items.reduce((sum, item) => sum + item.price, 0);", rejected: "1;", source: "synthetic" as const },
  { prompt: formatFimPrompt("export function subTwo(b: number): number {\n  ", "\n}\n"), chosen: "return b - 2;", rejected: "return b;", source: "synthetic" as const },
];

describe("post-training stage cores (toy model)", () => {
  let tok: Tokenizer;
  before(async () => {
    assert.ok(await useBackend("wasm"));
    tok = await toyTokenizer();
  });

  it("DPO: the reference filled from the policy gives loss log 2 and zero rewards at step 0; training raises the margin", async () => {
    const model = toyModel(tok, 3);
    const pad = specialIds(tok).eos;
    const pairs = encodePairs(tok, PAIRS, 80);
    assert.equal(pairs.length, PAIRS.length);
    await fillReferenceLogProbs(model, pairs, pad, "sigmoid");
    const data = new PairRows(pairs, pad);
    const lossFn = dpoLossFn(model, { beta: 0.1 });
    const first = tf.tidy(() => {
      const out = lossFn(data.batch([0, 1, 2, 3]), { step: 0, micro: 0, seed: 0 });
      if (out instanceof tf.Tensor) throw new Error("expected metrics");
      return { loss: out.loss.dataSync()[0]!, margin: out.metrics!["rewards/margins"]!.dataSync()[0]! };
    });
    // Padding, prompt sharing and the chosen/rejected halves all line up, or this is not log 2.
    assert.ok(Math.abs(first.loss - Math.LN2) < 1e-4, `step-0 loss ${first.loss}`);
    assert.ok(Math.abs(first.margin) < 1e-3, `step-0 margin ${first.margin}`);
    const result = await trainLoop(model.trainableVariables(), data, lossFn, { steps: 12, batchSize: 4, learningRate: 3e-3, warmupSteps: 0, seed: 1 });
    assert.ok(result.metrics["rewards/margins"]! > 0.5, `margin after training ${result.metrics["rewards/margins"]}`);
    assert.equal(result.metrics["rewards/accuracies"], 1);
    assert.ok(result.finalLoss! < Math.LN2);
    model.dispose();
  });

  it("teacher targets: a student equal to its teacher has KL ~0 through file, batches and loss; another student does not", async () => {
    const teacher = toyModel(tok, 4);
    const pad = specialIds(tok).eos;
    const rows = [
      ...packDocuments(tok, TOY_CODE, 40).map((ids) => ({ ids, completionStart: 0 })),
      encodePromptCompletion(tok, PAIRS[0]!.prompt, PAIRS[0]!.chosen, 40)!,
    ];
    const path = join(dir, "targets.bin");
    assert.ok(await writeTeacherTargets(teacher, rows, pad, path, { k: 300, teacherName: "toy" }));
    const reader = TeacherTargetsReader.open(path);
    assert.equal(reader.count, rows.length);
    // The SFT row stores distributions for its completion positions only.
    const sftSeq = reader.read(rows.length - 1);
    const sftRow = rows[rows.length - 1]!;
    assert.deepEqual(Array.from(sftSeq.mask).map((m, t) => [t, m]).filter(([, m]) => m).map(([t]) => t), Array.from({ length: sftRow.ids.length - sftRow.completionStart }, (_, i) => sftRow.completionStart - 1 + i));
    const data = new DistillRows(reader, 40, pad, 2);
    const indices = Array.from({ length: reader.count }, (_, i) => i);
    const klOf = (student: Qwen2Model) =>
      tf.tidy(() => {
        const batch = data.batch(indices);
        const out = distillLossFn(student, { temperature: 2, alpha: 0.5 })(batch, { step: 0, micro: 0, seed: 0 });
        batch.dispose?.();
        if (out instanceof tf.Tensor) throw new Error("expected metrics");
        return out.metrics!.kl!.dataSync()[0]!;
      });
    const same = klOf(teacher);
    const other = toyModel(tok, 5);
    const different = klOf(other);
    // float16 log-probs: about 1e-3 relative, so KL stays tiny but not exactly 0.
    assert.ok(same < 1e-4, `KL(teacher || itself) = ${same}`);
    assert.ok(different > 100 * Math.max(same, 1e-6), `KL against another model ${different}`);
    reader.close();
    teacher.dispose();
    other.dispose();
  });

  it("the reward of a row is the head on its last token, the same alone or padded in a batch", () => {
    const model = toyModel(tok, 6);
    const head = newRewardHead(model, 1);
    const pad = specialIds(tok).eos;
    const short = encodePromptCompletion(tok, "p", "return a + 1;", 40, false)!;
    const long = encodePromptCompletion(tok, "p", TOY_CODE[3]!, 40, false)!;
    const together = rewards({ model, head }, [short, long], pad).dataSync();
    const alone = rewards({ model, head }, [short], pad).dataSync();
    assert.ok(Math.abs(together[0]! - alone[0]!) < 1e-4, `${together[0]} vs ${alone[0]}`);
    const h = tf.tidy(() => {
      const states = model.hiddenStates({ batchSize: 1, seqLen: short.ids.length, inputIds: Int32Array.from(short.ids) });
      return tf.sum(tf.mul(tf.slice(states, [short.ids.length - 1, 0], [1, -1]), head)).dataSync()[0]!;
    });
    assert.ok(Math.abs(h - alone[0]!) < 1e-4, `${h} vs ${alone[0]}`);
    head.dispose();
    model.dispose();
  });

  it("a trained reward model, as the completion service's reranker, shows the chosen side and holds back below its threshold", async () => {
    const model = toyModel(tok, 9);
    const head = newRewardHead(model, 2);
    const pad = specialIds(tok).eos;
    const data = new PairRows(encodePairs(tok, PAIRS, 80), pad);
    const params = new Map(model.trainableVariables());
    params.set("score.weight", head);
    const result = await trainLoop(params, data, rewardLossFn({ model, head }, pad), { steps: 15, batchSize: 4, learningRate: 3e-3, warmupSteps: 0, seed: 1 });
    assert.equal(result.metrics.accuracy, 1);
    const rm = { model, tokenizer: tok, head };
    const pair = PAIRS[1]!;
    const fim = parseFimPrompt(pair.prompt)!;
    const place = { prefix: fim.prefix, suffix: fim.suffix, mode: "line" as const, languageId: "typescript" };
    assert.equal(await choose(new RewardReranker(rm), place, [pair.rejected, pair.chosen]), pair.chosen);
    const threshold = await thresholdFromPairs(new RewardScorer(rm, 95), PAIRS, 1);
    assert.ok(threshold !== null);
    // Above the highest rejected reward: the rejected side alone is held back.
    assert.equal(await choose(new RewardReranker(rm, threshold + 1e-3), place, [pair.rejected]), "");
    head.dispose();
    model.dispose();
  });

  it("the student copies evenly spaced teacher layers, first and last kept", async () => {
    assert.deepEqual(studentLayerMap(4, 2), [0, 3]);
    assert.deepEqual(studentLayerMap(8, 4), [0, 2, 5, 7]);
    assert.deepEqual(studentLayerMap(3, 3), [0, 1, 2]);
    assert.throws(() => studentLayerMap(2, 3), /between 1 and 2/);
    const teacher = toyModel(tok, 7, 4);
    const weights = await teacher.getWeights();
    const s = studentFromTeacher(teacher.config, weights, 2);
    assert.equal(s.config.num_hidden_layers, 2);
    const a = s.weights.get("model.layers.1.mlp.up_proj.weight")!.data;
    assert.deepEqual(Array.from(a), Array.from(weights.get("model.layers.3.mlp.up_proj.weight")!.data));
    assert.ok(!s.weights.has("model.layers.2.mlp.up_proj.weight"));
    Qwen2Model.fromWeights(s.config, s.weights).dispose(); // every tensor the config needs is there
    teacher.dispose();
  });

  it("a stage cancelled mid-way resumes from its checkpoint to the losses of an uninterrupted run; a fresh run ignores it", async () => {
    const pad = specialIds(tok).eos;
    const rows = packDocuments(tok, TOY_CODE, 24).map((ids) => ({ ids, completionStart: 0 }));
    const options = { steps: 6, batchSize: 2, learningRate: 3e-3, warmupSteps: 1, seed: 3, seqLen: 24 };
    const straight: number[] = [];
    const m1 = toyModel(tok, 8);
    await trainLm(m1, rows, pad, { ...options, onProgress: (p) => straight.push(p.loss) });
    const w1 = await m1.getWeights();
    m1.dispose();

    const ckpt = join(dir, "resume-ckpt");
    const extras = { config: toyModel(tok, 8).config, tokenizer: "{}" };
    const controller = new AbortController();
    const m2 = toyModel(tok, 8);
    const firstPart: number[] = [];
    const cut = await trainLm(m2, rows, pad, { ...options, checkpointDir: ckpt, signal: controller.signal, onProgress: (p) => { firstPart.push(p.loss); if (p.step === 3) controller.abort(); } }, extras);
    assert.equal(cut.status, "cancelled");
    assert.equal(cut.steps, 3);
    m2.dispose();
    const m3 = toyModel(tok, 99); // different start: the checkpoint must overwrite it
    const rest: number[] = [];
    const resumed = await trainLm(m3, rows, pad, { ...options, checkpointDir: ckpt, onProgress: (p) => rest.push(p.loss) }, extras);
    assert.equal(resumed.resumedFrom, 3);
    assert.equal(resumed.status, "completed");
    assert.deepEqual([...firstPart, ...rest], straight);
    const w3 = await m3.getWeights();
    for (const [name, t] of w1) assert.deepEqual(Array.from(w3.get(name)!.data), Array.from(t.data), name);
    m3.dispose();
    // A run that does not resume ignores (and clears) what another run left there.
    const m4 = toyModel(tok, 8);
    const fresh: number[] = [];
    const again = await trainLm(m4, rows, pad, { ...options, checkpointDir: ckpt, resume: false, onProgress: (p) => fresh.push(p.loss) }, extras);
    assert.equal(again.resumedFrom, undefined);
    assert.deepEqual(fresh, straight);
    m4.dispose();
  });
});
