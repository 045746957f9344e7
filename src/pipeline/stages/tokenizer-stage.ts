// Stage "tokenizer": the base's own vocabulary when the run starts from one (its ids are the
// ones it was trained and is served with), else a byte-level BPE vocabulary trained on the
// repository's own text (models made from scratch need one that fits the code they will read).
import { join } from "node:path";
import { datasetPaths } from "../../core/store/dataset-files";
import type { PretrainRecord } from "../../core/store/dataset-files";
import { readJsonlRecords } from "../../core/store/jsonl-reader";
import { saveTokenizerJson, trainBpe } from "../../core/tokenizer";
import { throwIfCancelled, type Stage, type StageContext, type StageResult } from "../run/stage";
import { readGguf, tokenizerFromGguf } from "../../core/formats/gguf";
import { loadTokenizerJson } from "../../core/tokenizer";
import { isGgufFile } from "../../serve/model-gguf";
import { baseIdentity } from "./base-plan";

export const TOKENIZER_FILE = "tokenizer.json";

/** The pretraining texts, streamed: the trainer counts pre-tokens, it never holds the corpus. */
function* corpus(datasetDir: string): Generator<string> {
  for (const { record } of readJsonlRecords<PretrainRecord>(datasetPaths(datasetDir).pretrain)) yield record.text;
}

export const tokenizerStage: Stage = {
  name: "tokenizer",
  totalSteps: () => 1,
  inputs: ({ preset, job }) => ({ settings: job.base ? { base: baseIdentity(job.base) } : { vocabSize: preset.teacher.vocabSize } }),
  async run(ctx) {
    if (ctx.job.base) return baseTokenizer(ctx, ctx.job.base);
    const started = Date.now();
    const tokenizer = await trainBpe(corpus(ctx.layout.datasetDir), {
      vocabSize: ctx.preset.teacher.vocabSize,
      signal: ctx.signal,
      // Long tokens rarely recur outside the text they came from; capping keeps the vocabulary general.
      maxTokenBytes: 24,
    });
    throwIfCancelled(ctx.signal); // a vocabulary cut short is not one to reuse
    const file = join(ctx.dir, TOKENIZER_FILE);
    saveTokenizerJson(tokenizer, file);
    ctx.progress({ step: 1, totalSteps: 1, loss: 0, lr: 0, tokensPerSec: 0, etaSec: 0, rssMb: process.memoryUsage().rss / 2 ** 20, unit: `vocabulary (${tokenizer.vocabSize} tokens)` });
    ctx.log(`vocabulary of ${tokenizer.vocabSize} tokens in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { artifacts: { tokenizer: file } };
  },
};

function baseTokenizer(ctx: StageContext, base: string): StageResult {
  const tokenizer = isGgufFile(base) ? tokenizerFromGguf(readGguf(base), base) : loadTokenizerJson(join(base, TOKENIZER_FILE));
  const file = join(ctx.dir, TOKENIZER_FILE);
  saveTokenizerJson(tokenizer, file);
  ctx.progress({ step: 1, totalSteps: 1, loss: 0, lr: 0, tokensPerSec: 0, etaSec: 0, rssMb: process.memoryUsage().rss / 2 ** 20, unit: `the base's vocabulary (${tokenizer.vocabSize} tokens)` });
  ctx.log(`the base's own vocabulary: ${tokenizer.vocabSize} tokens from ${base}`);
  return { artifacts: { tokenizer: file, base } };
}
