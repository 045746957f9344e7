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

export interface ModelLoss {
  /** Bits per byte over every scored target together; null without probes (or when cut short). */
  bitsPerByte: number | null;
  /**
   * Each loss probe's own bits per byte, in lossProbes' order (null where a target was not
   * scored): the per-item figures the paired test between two models uses.
   */
  perProbe: (number | null)[];
}

/** The model's bits per byte of the probes' targets, together and per probe. */
export async function modelLoss(scorer: CompletionScorer, probes: readonly HeldoutProbe[], signal?: AbortSignal): Promise<ModelLoss> {
  let nats = 0;
  let bytes = 0;
  const perProbe: (number | null)[] = [];
  for (const p of lossProbes(probes)) {
    if (signal?.aborted) return { bitsPerByte: null, perProbe: [] };
    const [logProb] = await scorer.score(p.prefix, [p.target]);
    const n = encoder.encode(p.target).length;
    // A target longer than the model's context leaves no prefix to condition on: not scored.
    if (!Number.isFinite(logProb)) {
      perProbe.push(null);
      continue;
    }
    perProbe.push(-logProb! / (n * Math.LN2));
    nats -= logProb!;
    bytes += n;
  }
  return { bitsPerByte: bytes ? nats / (bytes * Math.LN2) : null, perProbe };
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
