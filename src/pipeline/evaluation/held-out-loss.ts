// Held-out loss in bits per byte: how well a model predicts each probe's target from the text
// before it (plain left-to-right, -log2 p(target | prefix) over the target's UTF-8 bytes),
// beside two yardsticks fitted on the training files and measured on the very same bytes: a
// byte unigram and a byte 4-gram. A model that does not beat the 4-gram has learnt little.
import type { CompletionScorer } from "../../core/completion/completer";
import { fitByteNgram, fitUnigram } from "../../core/math/byte-baselines";
import { datasetPaths, type HeldoutProbe, type PretrainRecord } from "../../core/store/dataset-files";
import { readRecords } from "../../core/store/jsonl-reader";

const encoder = new TextEncoder();

/**
 * The probes the loss is measured on: line targets after some text. A block target may be
 * longer than a scorer keeps of a completion (half its context), and a target at the very
 * start of a file has nothing to be predicted from.
 */
export function lossProbes(probes: readonly HeldoutProbe[]): HeldoutProbe[] {
  return probes.filter((p) => (p.mode ?? "line") === "line" && p.prefix !== "" && p.target.trim() !== "");
}

export interface HeldoutBaselines {
  unigram: number | null;
  ngram4: number | null;
  /** Training bytes the baselines were fitted on (at most 32 MiB). */
  trainBytes: number;
}

/** The model's bits per byte of the probes' targets; null without probes (or when cut short). */
export async function modelBitsPerByte(scorer: CompletionScorer, probes: readonly HeldoutProbe[], signal?: AbortSignal): Promise<number | null> {
  let nats = 0;
  let bytes = 0;
  for (const p of lossProbes(probes)) {
    if (signal?.aborted) return null;
    const [logProb] = await scorer.score(p.prefix, [p.target]);
    // A target longer than the model's context leaves no prefix to condition on: not scored.
    if (!Number.isFinite(logProb)) continue;
    nats -= logProb!;
    bytes += encoder.encode(p.target).length;
  }
  return bytes ? nats / (bytes * Math.LN2) : null;
}

export function baselineBitsPerByte(datasetDir: string, probes: readonly HeldoutProbe[]): HeldoutBaselines {
  const texts = () => (function* () {
    for (const r of readRecords<PretrainRecord>(datasetPaths(datasetDir).pretrain)) if (typeof r.text === "string") yield r.text;
  })();
  const unigram = fitUnigram(texts());
  const ngram = fitByteNgram(texts(), 4);
  let u = 0;
  let g = 0;
  let bytes = 0;
  for (const p of lossProbes(probes)) {
    const a = unigram.bitsOf(p.prefix, p.target);
    const b = ngram.bitsOf(p.prefix, p.target);
    if (!a.bytes) continue;
    u += a.bitsPerByte * a.bytes;
    g += b.bitsPerByte * b.bytes;
    bytes += a.bytes;
  }
  return { unigram: bytes ? u / bytes : null, ngram4: bytes ? g / bytes : null, trainBytes: ngram.trainBytes };
}
