// The dataset card (README.md) of an exported dataset: the YAML header Hugging Face's hub and
// `datasets.load_dataset(DIR, CONFIG)` read (one config per file), then what is in it, what was
// left out and why, and how to load it.
import { basename } from "node:path";
import type { DatasetManifest } from "../../store/dataset-manifest";
import type { ExportedConfig } from "./export-dataset";

const WHAT: Record<ExportedConfig["config"], string> = {
  pretrain: "whole files of the training split (chunked when long), for continued pretraining: `text`, `path`",
  sft: "instruction/response pairs in TRL's prompt-completion form: fill-in-the-middle, docstring and commit samples (`kind`)",
  preferences: "preference pairs in TRL's form (`prompt`, `chosen`, `rejected`): from the editor (`source: editor`) and synthetic ones",
  heldout: "held-out completion probes from files never trained on: the text before and after a cursor and what follows it (`target`)",
  feedback: "the editor's feedback log: each completion shown and whether it was accepted, partly accepted or rejected",
};

export function datasetCard(manifest: DatasetManifest, configs: readonly ExportedConfig[]): string {
  const name = basename(manifest.repo);
  const yaml = [
    "---",
    "configs:",
    ...configs.flatMap((c) => [`- config_name: ${c.config}`, `  data_files: data/${c.config}.jsonl`]),
    "tags:",
    "- code",
    "- repotune",
    "---",
  ];
  const rows = configs.map((c) => {
    const left = c.skipped.corrupt + c.skipped.wrongShape + c.skipped.secret;
    return `| ${c.config} | ${c.rows} | ${left ? `${left} (${c.skipped.corrupt} corrupt, ${c.skipped.wrongShape} of the wrong shape, ${c.skipped.secret} holding a secret)` : "0"} | ${WHAT[c.config]} |`;
  });
  const reasons = Object.entries(manifest.excludedByReason)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([reason, n]) => `| ${reason} | ${n} |`);
  return [
    ...yaml,
    "",
    `# ${name}: a RepoTune dataset`,
    "",
    `Gathered by RepoTune from ${manifest.source.kind === "git" ? `the git repository ${name}${manifest.source.head ? ` at ${manifest.source.head.slice(0, 12)}` : ""}` : `the folder ${name}`} on ${manifest.createdAt}: ${manifest.files.kept} files kept of ${manifest.files.seen} seen, split by file into ${manifest.split.train} for training and ${manifest.split.heldout} held out.`,
    "",
    "| config | rows | left out at export | what |",
    "| --- | ---: | --- | --- |",
    ...rows,
    "",
    "## What was excluded when gathering, and why",
    "",
    ...(reasons.length ? ["| reason | files |", "| --- | ---: |", ...reasons] : ["Nothing."]),
    "",
    "Files that looked like secrets (by name or by a credential inside) never entered the dataset; every record was checked again at export.",
    "",
    "## Loading it",
    "",
    "```python",
    "from datasets import load_dataset",
    'sft = load_dataset("json", data_files="data/sft.jsonl", split="train")',
    '# or, with this folder: load_dataset("path/to/this/folder", "preferences")',
    "```",
    "",
  ].join("\n");
}
