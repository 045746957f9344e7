// Turns one file's text into records and appends them: a training file gives pretrain, FIM
// and docstring records; a held-out file gives only held-out probes. Counts what it wrote.
import { SPECIAL_TOKENS } from "../tokenizer/special-tokens";
import type { JsonlAppender } from "../store/jsonl-appender";
import { buildDocstringPairs } from "./builders/docstrings/docstring-pairs";
import { buildFimSamples, type FimSettings } from "./builders/fim";
import { repoNameOf } from "../completion/repo-prompt";
import { buildHeldoutProbes, type ProbeExclusion, type ProbeSettings } from "./builders/heldout-probes";
import { LineHashSet } from "./dedup/line-hash-set";
import { buildPretrainRecords } from "./builders/pretrain";
import type { ResolvedGatherOptions } from "./gather-options";
import { LineIndex } from "./text/line-index";
import { randomForFile } from "../random/seeded-random";

export interface DatasetWriters {
  pretrain: JsonlAppender;
  sft: JsonlAppender;
  heldout: JsonlAppender;
}

export interface RecordCounts {
  pretrain: number;
  fim: number;
  docstring: number;
  commit: number;
  heldout: number;
  pretrainChars: number;
  sftChars: number;
  heldoutChars: number;
}

export class RecordWriter {
  readonly counts: RecordCounts = { pretrain: 0, fim: 0, docstring: 0, commit: 0, heldout: 0, pretrainChars: 0, sftChars: 0, heldoutChars: 0 };
  /** Held-out targets left out, by reason (manifest.heldoutExcluded). */
  readonly probesExcluded: Partial<Record<ProbeExclusion, number>> = {};
  /** Every training file's lines: held-out files are written last, after all of them (gather-files). */
  private readonly trainingLines = new LineHashSet();
  private readonly fim: FimSettings;
  private readonly probes: ProbeSettings;

  constructor(
    readonly writers: DatasetWriters,
    private readonly options: ResolvedGatherOptions,
  ) {
    this.fim = { prefixChars: options.fimPrefixChars, suffixChars: options.fimSuffixChars, charsPerSample: options.fimCharsPerSample, maxPerFile: options.fimMaxPerFile };
    this.probes = { prefixChars: options.fimPrefixChars, suffixChars: options.fimSuffixChars, perFile: options.probesPerFile, charsPerProbe: options.fimCharsPerSample };
  }

  writeTraining(path: string, text: string, language: string): void {
    const index = new LineIndex(text);
    for (let line = 0; line < index.count; line++) this.trainingLines.add(index.content(line));
    for (const record of buildPretrainRecords(path, index, this.options.pretrainChunkChars)) {
      this.writers.pretrain.append(record);
      this.counts.pretrain++;
      this.counts.pretrainChars += record.text.length;
    }
    // A file that spells out the special tokens (a tokenizer's own source) would make prompts
    // ambiguous: it still trains as plain text, but cuts no FIM or docstring samples.
    if (quotesSpecialTokens(text)) return;
    for (const record of buildFimSamples(path, index, this.fim, randomForFile(this.options.seed, path, "fim"), repoNameOf(this.options.repo))) {
      this.writers.sft.append(record);
      this.counts.fim++;
      this.counts.sftChars += record.prompt.length + record.completion.length;
    }
    for (const record of buildDocstringPairs(path, index, language, this.options.docstringMaxChars, this.options.docstringMaxPerFile)) {
      this.writers.sft.append(record);
      this.counts.docstring++;
      this.counts.sftChars += record.prompt.length + record.completion.length;
    }
  }

  writeHeldout(path: string, text: string): void {
    if (quotesSpecialTokens(text)) return;
    const built = buildHeldoutProbes(path, new LineIndex(text), this.probes, randomForFile(this.options.seed, path, "heldout"), this.trainingLines);
    for (const [reason, n] of Object.entries(built.excluded) as [ProbeExclusion, number][]) this.probesExcluded[reason] = (this.probesExcluded[reason] ?? 0) + n;
    const repo = repoNameOf(this.options.repo);
    for (const probe of built.probes) {
      this.writers.heldout.append({ ...probe, repo });
      this.counts.heldout++;
      this.counts.heldoutChars += probe.prefix.length + probe.suffix.length + probe.target.length;
    }
  }
}

function quotesSpecialTokens(text: string): boolean {
  return text.includes("<|") && SPECIAL_TOKENS.some((token) => text.includes(token));
}
