// `repotune export --format dataset`: what was gathered and the editor's feedback as JSON Lines
// that Hugging Face `datasets.load_dataset("json", data_files=...)` reads (and TRL's trainers take:
// sft.jsonl is prompt/completion, preferences.jsonl prompt/chosen/rejected), one file per
// config under data/, with a dataset card (README.md) whose YAML header names them. Every
// record is read back through the tolerant JSONL reader (torn or corrupt lines are counted,
// not copied), given the same columns in every row (Arrow infers one schema per file), and
// checked for secrets once more before it leaves the machine's working folders.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../fs/atomic-write";
import { findSecret } from "../../gather/secrets/find-secret";
import { datasetPaths } from "../../store/dataset-files";
import { readManifest, type DatasetManifest } from "../../store/dataset-manifest";
import { readRecords, type JsonlReadReport } from "../../store/jsonl-reader";
import { datasetCard } from "./dataset-card";

/** The configs written, their source file in the dataset (or the feedback log) and their columns. */
export const DATASET_CONFIGS = {
  pretrain: { columns: ["text", "path"] },
  sft: { columns: ["prompt", "completion", "kind", "path"] },
  preferences: { columns: ["prompt", "chosen", "rejected", "source", "path", "rejectedBy"] },
  heldout: { columns: ["prefix", "suffix", "target", "path", "line", "mode", "repo"] },
  feedback: { columns: ["id", "time", "outcome", "path", "languageId", "prefix", "suffix", "shown", "written", "acceptedChars", "mode", "model", "latencyMs"] },
} as const;

export type DatasetConfig = keyof typeof DATASET_CONFIGS;

export interface ExportedConfig {
  config: DatasetConfig;
  file: string;
  rows: number;
  /** Records left out: torn or corrupt lines, records of the wrong shape, records holding a secret. */
  skipped: { corrupt: number; wrongShape: number; secret: number };
}

export interface DatasetExport {
  out: string;
  configs: ExportedConfig[];
  card: string;
}

export class DatasetExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatasetExportError";
  }
}

/** A value as a column holds it: strings and numbers as they are, anything else (objects) as JSON text, missing as null. */
function cell(value: unknown): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return JSON.stringify(value);
}

function exportConfig(config: DatasetConfig, source: string, outDir: string, mustHave: readonly string[]): ExportedConfig {
  const { columns } = DATASET_CONFIGS[config];
  const reports: JsonlReadReport[] = [];
  const skipped = { corrupt: 0, wrongShape: 0, secret: 0 };
  const lines: string[] = [];
  for (const record of readRecords<Record<string, unknown>>(source, reports)) {
    if (typeof record !== "object" || record === null || mustHave.some((k) => typeof record[k] !== "string")) {
      skipped.wrongShape++;
      continue;
    }
    const row = Object.fromEntries(columns.map((c) => [c, cell(record[c])]));
    if (Object.values(row).some((v) => typeof v === "string" && findSecret(v) !== null)) {
      skipped.secret++;
      continue;
    }
    lines.push(JSON.stringify(row));
  }
  for (const r of reports) skipped.corrupt += r.corruptLines.length + (r.tornLastLine ? 1 : 0);
  const file = join(outDir, "data", `${config}.jsonl`);
  writeFileAtomicSync(file, lines.length ? `${lines.join("\n")}\n` : "");
  return { config, file, rows: lines.length, skipped };
}

/** Writes OUT/data/<config>.jsonl and OUT/README.md from a dataset folder and, when given, the feedback log. */
export function exportDatasetFolder(o: { datasetDir: string; feedbackEvents?: string; outDir: string }): DatasetExport {
  const paths = datasetPaths(o.datasetDir);
  let manifest: DatasetManifest;
  try {
    manifest = readManifest(paths.manifest);
  } catch (err) {
    throw new DatasetExportError(`${paths.manifest} cannot be read (${(err as Error).message}): gather the dataset first (repotune gather, or Fine-tune in the editor)`);
  }
  mkdirSync(join(o.outDir, "data"), { recursive: true });
  const configs: ExportedConfig[] = [
    exportConfig("pretrain", paths.pretrain, o.outDir, ["text"]),
    exportConfig("sft", paths.sft, o.outDir, ["prompt", "completion"]),
    exportConfig("preferences", paths.preferences, o.outDir, ["prompt", "chosen", "rejected"]),
    exportConfig("heldout", paths.heldout, o.outDir, ["prefix", "suffix", "target"]),
    ...(o.feedbackEvents ? [exportConfig("feedback", o.feedbackEvents, o.outDir, ["id", "outcome"])] : []),
  ];
  const card = datasetCard(manifest, configs);
  writeFileAtomicSync(join(o.outDir, "README.md"), card);
  return { out: o.outDir, configs, card };
}
