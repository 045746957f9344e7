// `repotune export --format hf`: a checkpoint as a Hugging Face model folder with its model
// card, and for an adapter run the PEFT adapter folder beside it (OUT/adapter). The card is
// written last: a folder with a README.md is complete.
import { basename, join, resolve } from "node:path";
import { writeFileAtomicSync } from "../../fs/atomic-write";
import { parameterShapes } from "../qwen2-config";
import { readCardManifest, readCardReport } from "./card-inputs";
import { renderModelCard } from "./model-card";
import { readLoraFactors } from "./merge-lora";
import { hasPeftAdapter, PEFT_FILES, readPeftConfig, writePeftAdapterFolder, type PeftAdapterSettings } from "./peft-adapter-folder";
import { writeHfModelFolder, type HfExportDtype, type HfModelFolder } from "./write-model-folder";

export const ADAPTER_SUBFOLDER = "adapter";

export interface HfExportOptions {
  checkpointDir: string;
  outDir: string;
  dtype: HfExportDtype;
  /** "teacher", "student"...: named in the card. */
  role: string;
  /** This model's row in the report, to mark it. */
  row: string | null;
  reportPath: string | null;
  manifestPath: string | null;
  /** The base as this machine has it (a path), and as the hub names it. */
  basePath: string | null;
  baseModelId: string | null;
  repoName: string | null;
}

export interface HfExport {
  model: HfModelFolder;
  adapter: { dir: string; settings: PeftAdapterSettings } | null;
  card: string;
  /** What the user should know: a damaged report.json or manifest.json left out of the card. */
  notes: string[];
}

export function exportHf(options: HfExportOptions): HfExport {
  const out = resolve(options.outDir);
  if (out === resolve(options.checkpointDir)) throw new Error(`--out ${out} is the checkpoint itself; give another folder`);
  const lora = hasPeftAdapter(options.checkpointDir) ? readLoraFactors(join(options.checkpointDir, PEFT_FILES.weights), readPeftConfig(options.checkpointDir)) : null;
  const model = writeHfModelFolder(options.checkpointDir, out, options.dtype, lora);
  const adapter = hasPeftAdapter(options.checkpointDir)
    ? { dir: join(out, ADAPTER_SUBFOLDER), settings: writePeftAdapterFolder(options.checkpointDir, join(out, ADAPTER_SUBFOLDER), options.baseModelId ?? options.basePath) }
    : null;
  // A damaged report or manifest leaves the card without those figures, not the export undone.
  const report = readCardReport(options.reportPath);
  const manifest = readCardManifest(options.manifestPath);
  const notes = [report.problem, manifest.problem].flatMap((p) => (p ? [`${p}; the model card leaves its figures out`] : []));
  const c = model.config;
  const parameters = [...parameterShapes(c).entries()].filter(([n]) => !(n === "lm_head.weight" && c.tie_word_embeddings)).reduce((sum, [, s]) => sum + s.reduce((a, b) => a * b, 1), 0);
  const card = renderModelCard({
    role: options.role,
    row: options.row,
    architectureClass: model.architecture.hfClass,
    parameters,
    layers: c.num_hidden_layers,
    hiddenSize: c.hidden_size,
    contextLength: c.max_position_embeddings,
    dtype: options.dtype,
    baseModelId: options.baseModelId,
    baseModelFile: options.basePath ? basename(options.basePath) : null,
    repoName: options.repoName,
    manifest: manifest.value,
    manifestUnreadable: manifest.problem !== null,
    report: report.value,
    reportUnreadable: report.problem !== null,
    lora: adapter ? adapter.settings : null,
    adapterFolder: adapter ? ADAPTER_SUBFOLDER : null,
  });
  const cardPath = join(out, "README.md");
  writeFileAtomicSync(cardPath, card);
  model.files.push("README.md");
  return { model, adapter, card: cardPath, notes };
}
