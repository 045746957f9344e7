// The post-training report on a real repository: gather -> tokenizer -> pretrain -> SFT -> DPO
// -> reward model -> distillation -> evaluation, with a preset's sizes and steps, printing
// report.md and the wall time. The same stage functions `repotune tune` runs, without the
// worker and the stage skipping (that is the pipeline's job); a benchmark, not a test.
//
//   flock /tmp/bench.lock node --import tsx bench/posttrain.ts --repo DIR --out DIR [--preset micro|tiny|small] [--seed N] [--backend auto]
//
// A real codebase no one here wrote, made into a git repository:
//   mkdir /tmp/eslint-rules && cp node_modules/eslint/lib/rules/*.js /tmp/eslint-rules/ &&
//   git -C /tmp/eslint-rules init -q && git -C /tmp/eslint-rules add -A && git -C /tmp/eslint-rules commit -qm import
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { gatherDataset } from "../src/core/gather/gather";
import { describePreset, getPreset } from "../src/core/presets";
import type { PresetName } from "../src/core/protocol";
import type { PretrainRecord } from "../src/core/store/dataset-files";
import { readJsonlRecords } from "../src/core/store/jsonl-reader";
import { saveTokenizerJson, trainBpe } from "../src/core/tokenizer";
import { selectBackend, type BackendChoice } from "../src/engine/backends/select";
import { evaluateRun } from "../src/pipeline/evaluation/evaluate-run";
import { runDistillStage } from "../src/pipeline/training/distillation";
import { runDpoStage } from "../src/pipeline/training/dpo-training";
import { runPretrainStage, runSftStage } from "../src/pipeline/training/lm-training";
import { posttrainOptions } from "../src/pipeline/stages/preset-options";
import { runRewardStage } from "../src/pipeline/training/reward-training";
import type { PosttrainProgress } from "../src/engine/train-loop";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { repo: { type: "string" }, out: { type: "string" }, preset: { type: "string", default: "tiny" }, seed: { type: "string", default: "1234" }, backend: { type: "string", default: "auto" } } });
  if (!values.repo || !values.out) throw new Error("--repo DIR and --out DIR are required");
  const started = Date.now();
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  const preset = getPreset(values.preset as PresetName);
  const seed = Number(values.seed);
  const log = (m: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${m}\n`);
  const backend = await selectBackend(values.backend as BackendChoice);
  log(`${backend.backend}: ${backend.device} (${backend.reason})`);
  log(describePreset(preset));

  const datasetDir = join(out, "dataset");
  const ctx = preset.teacher.contextLength;
  // FIM windows about the size of the context (code averages 3-4 characters a token).
  const manifest = await gatherDataset({ repo: resolve(values.repo), datasetDir, seed, fimPrefixChars: Math.round(ctx * 2.5), fimSuffixChars: Math.round(ctx * 0.8) });
  log(`gathered: ${JSON.stringify(manifest.counts ?? {})}`);
  const texts = [...readJsonlRecords<PretrainRecord>(join(datasetDir, "pretrain.jsonl"))].map((r) => r.record.text);
  const tokenizer = await trainBpe(texts, { vocabSize: preset.teacher.vocabSize, maxTokenBytes: 24 });
  const tokenizerPath = join(out, "tokenizer.json");
  saveTokenizerJson(tokenizer, tokenizerPath);
  log(`tokenizer: ${tokenizer.vocabSize} tokens`);

  let stage = "";
  const onProgress = (p: PosttrainProgress) => {
    if (p.step === 1 || p.step % 20 === 0 || p.step === p.totalSteps) {
      const extra = p.metrics && Object.keys(p.metrics).length ? " " + Object.entries(p.metrics).map(([k, v]) => `${k}=${v.toFixed(3)}`).join(" ") : "";
      log(`${stage} ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)} lr ${p.lr.toExponential(1)} ${p.tokensPerSec.toFixed(0)} tok/s${extra}`);
    }
  };
  const o = posttrainOptions(preset, seed, { onProgress });
  const stageDir = (s: string) => join(out, "stages", s);
  stage = "pretrain";
  const pre = await runPretrainStage({ from: { tokenizerPath, shape: preset.teacher, seed }, datasetDir, outDir: stageDir("pretrain") }, o.pretrain);
  stage = "sft";
  const sft = await runSftStage({ from: { modelDir: pre.modelDir! }, datasetDir, outDir: stageDir("sft") }, o.sft);
  stage = "dpo";
  const dpo = await runDpoStage({ sftModelDir: sft.modelDir!, datasetDir, outDir: stageDir("dpo") }, { ...o.dpo, log });
  stage = "reward";
  const reward = await runRewardStage(
    { sftModelDir: sft.modelDir!, datasetDir, outDir: stageDir("reward"), pairFiles: dpo.files.syntheticPairs ? [dpo.files.syntheticPairs] : [], heldoutPairFiles: dpo.files.heldoutPairs ? [dpo.files.heldoutPairs] : [] },
    o.reward,
  );
  log(`reward model: held-out accuracy ${reward.heldoutAccuracy} on ${reward.heldoutItems} pairs`);
  stage = "distill";
  const teacherDir = dpo.modelDir ?? sft.modelDir!;
  const distill = await runDistillStage({ teacherDir, datasetDir, outDir: stageDir("distill") }, { ...o.distill, log });
  log("evaluating");
  const { files } = await evaluateRun(
    { models: { pretrain: pre.modelDir!, sft: sft.modelDir!, ...(dpo.modelDir ? { dpo: dpo.modelDir } : {}), student: distill.modelDir! }, rewardModelDir: reward.modelDir ?? undefined, datasetDir, outDir: out, pairFiles: dpo.files.heldoutPairs ? [dpo.files.heldoutPairs] : [] },
    {
      ...o.eval,
      startedAt: started,
      config: { preset: preset.name, teacher: preset.teacher, studentLayers: preset.studentLayers, batchSize: preset.batchSize, steps: preset.steps, learningRate: preset.learningRate, backend: backend.backend, repo: resolve(values.repo), seed, tokenizerVocab: tokenizer.vocabSize },
      notes: [`DPO pairs: ${dpo.pairs.editor} from the editor, ${dpo.pairs.synthetic} synthetic (${dpo.synthetic ? `${dpo.synthetic.fromModel} against the SFT model's own completion, ${dpo.synthetic.fromElsewhere} from elsewhere` : "none needed"})`, `student: ${distill.studentLayers} layers (teacher layers ${distill.layerMap.join(", ")}); teacher targets ${((distill.teacherTargets?.bytes ?? 0) / 2 ** 20).toFixed(1)} MB for ${distill.teacherTargets?.positions ?? 0} positions at k = ${distill.teacherTargets?.k ?? 0}`],
      onProgress: (row, done, total) => {
        if (done === total) log(`eval ${row}: ${total} items`);
      },
    },
  );
  process.stdout.write(readFileSync(files.md, "utf8"));
  log(`done in ${((Date.now() - started) / 60000).toFixed(1)} min; ${files.md}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
