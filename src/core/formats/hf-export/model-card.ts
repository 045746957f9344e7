// README.md of an exported model folder: Hugging Face's model card, a YAML header the hub reads
// (library, pipeline, base model, tags) and what a reader needs to trust the model: what it was
// trained on and what was left out and why, its held-out figures with their intervals beside
// the base it started from, and the settings it was trained with. Counts, never paths of the
// files left out: a card is made to be shared, and those paths can say too much.
import type { DatasetManifest } from "../../store/dataset-manifest";

type Interval = [number, number] | null;

/** One row of the run's report.json (pipeline/evaluation/types.ts StageEval), as the card reads it. */
export interface CardRow {
  exactMatch: number | null;
  exactMatchCi?: Interval;
  acceptedChars: number | null;
  acceptedCharsCi?: Interval;
  editSimilarity: number | null;
  editSimilarityCi?: Interval;
  preferenceAccuracy: number | null;
  latencyMsP50: number | null;
  heldoutItems: number;
}

/** The parts of report.json the card shows. */
export interface CardReport {
  stages: Partial<Record<string, CardRow | null>>;
  config?: Record<string, unknown>;
  notes?: string[];
  activation?: { activated: boolean; reason: string };
}

export interface ModelCardInput {
  /** What the folder holds: "teacher" (the fine-tuned model), "student" (the distilled one)... */
  role: string;
  /** The report's row of this model ("dpo", "sft", "student"...). */
  row: string | null;
  architectureClass: string;
  parameters: number;
  layers: number;
  hiddenSize: number;
  contextLength: number;
  dtype: string;
  /** The hub id of the base (Qwen/Qwen2.5-Coder-0.5B), when one is known. */
  baseModelId: string | null;
  /** The base as this machine had it (a file name, not a path). */
  baseModelFile: string | null;
  repoName: string | null;
  manifest: DatasetManifest | null;
  /** The manifest was there but damaged (the card says so instead of "not found"). */
  manifestUnreadable?: boolean;
  report: CardReport | null;
  reportUnreadable?: boolean;
  /** LoRA settings of an adapter run; null for full fine-tuning. */
  lora: { r: number; alpha: number; dropout: number; targetModules: string[] } | null;
  adapterFolder: string | null;
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(1)}%`);
const ci = (i: Interval | undefined, scale: number, digits: number) => (i ? ` [${(scale * i[0]).toFixed(digits)}, ${(scale * i[1]).toFixed(digits)}]` : "");

function yamlString(s: string): string {
  return JSON.stringify(s); // a JSON string is a valid YAML scalar
}

function header(input: ModelCardInput): string[] {
  const lines = ["---", "library_name: transformers", "pipeline_tag: text-generation"];
  if (input.baseModelId) lines.push(`base_model: ${yamlString(input.baseModelId)}`);
  lines.push("tags:", "  - code", "  - fill-in-the-middle", "  - repotune");
  if (input.adapterFolder) lines.push("  - peft", "  - lora");
  lines.push("---");
  return lines;
}

function dataSection(m: DatasetManifest | null, unreadable = false): string[] {
  if (!m && unreadable) return ["## Training data", "", "The dataset's manifest.json beside this run could not be read (it is damaged): what it was trained on is not recorded here.", ""];
  if (!m) return ["## Training data", "", "No dataset manifest was found beside this run: what it was trained on is not recorded here.", ""];
  const lines = ["## Training data", ""];
  const source = m.source.kind === "git" ? `a git repository${m.source.branch ? ` (branch ${m.source.branch}` : ""}${m.source.head ? `${m.source.branch ? ", " : " ("}commit ${m.source.head.slice(0, 12)})` : m.source.branch ? ")" : ""}` : "a folder";
  lines.push(`Gathered from ${source} on ${m.createdAt.slice(0, 10)}: ${m.files.seen} files seen, ${m.files.kept} kept (${(m.files.bytesKept / 1e6).toFixed(2)} MB), ${m.files.excluded} left out.`);
  lines.push(`Split by file: ${m.split.train} files for training, ${m.split.heldout} held out (never trained on) for evaluation.`, "");
  lines.push("| samples | count |", "| --- | ---: |");
  for (const [k, v] of Object.entries(m.counts)) lines.push(`| ${k} | ${v} |`);
  lines.push("");
  const reasons = Object.entries(m.excludedByReason).filter(([, n]) => (n ?? 0) > 0);
  if (reasons.length) {
    lines.push("Files left out, by reason (a file holding a secret never reaches a dataset):", "", "| reason | files |", "| --- | ---: |");
    for (const [reason, n] of reasons.sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))) lines.push(`| ${reason} | ${n} |`);
    lines.push("");
  }
  const dups = m.duplicates.exact + m.duplicates.near;
  const held = Object.entries(m.heldoutExcluded).filter(([, n]) => (n ?? 0) > 0);
  if (dups || held.length) {
    lines.push(`Duplicates removed: ${m.duplicates.exact} exact, ${m.duplicates.near} near.${held.length ? ` Held-out targets not asked: ${held.map(([k, n]) => `${n} ${k}`).join(", ")}.` : ""}`, "");
  }
  return lines;
}

function evalSection(input: ModelCardInput): string[] {
  const r = input.report;
  if (!r && input.reportUnreadable) return ["## Evaluation", "", "The run's report.json could not be read (it is damaged), so its figures are left out: run `repotune eval` on this model to measure it again.", ""];
  if (!r) return ["## Evaluation", "", "No evaluation report was found for this checkpoint: export it from a run folder (`repotune export --format hf --run OUT/runs/RUN`) to include one.", ""];
  const lines = ["## Evaluation", "", "On the held-out files, asked as the editor asks (its context budget, stop rules and clean-up); 95% bootstrap intervals in brackets.", ""];
  lines.push("| model | exact match | accepted chars | edit similarity | preference accuracy | latency p50 | probes |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [name, s] of Object.entries(r.stages)) {
    if (!s) continue;
    const label = name === input.row ? `**${name} (this model)**` : name;
    lines.push(
      `| ${label} | ${pct(s.exactMatch)}${ci(s.exactMatchCi, 100, 1)} | ${pct(s.acceptedChars)}${ci(s.acceptedCharsCi, 100, 1)} | ${s.editSimilarity === null ? "–" : s.editSimilarity.toFixed(1)}${ci(s.editSimilarityCi, 1, 1)} | ${pct(s.preferenceAccuracy)} | ${s.latencyMsP50 === null ? "–" : `${Math.round(s.latencyMsP50)} ms`} | ${s.heldoutItems} |`,
    );
  }
  lines.push("", "`base` is the model the run started from; latency was measured on the machine that trained it.", "");
  if (r.activation) lines.push(`Activation on that machine: ${r.activation.activated ? "served" : "not served"} (${r.activation.reason}).`, "");
  return lines;
}

function settingsSection(input: ModelCardInput): string[] {
  const lines = ["## Training settings", ""];
  lines.push(`- architecture: ${input.architectureClass}, ${input.layers} layers, width ${input.hiddenSize}, ${(input.parameters / 1e6).toFixed(1)}M parameters, context ${input.contextLength} tokens; weights in ${input.dtype}`);
  lines.push(`- started from: ${input.baseModelId ?? input.baseModelFile ?? "nothing (trained from scratch by RepoTune)"}`);
  if (input.baseModelId && input.baseModelFile && /\.gguf$/i.test(input.baseModelFile)) {
    lines.push(`- the base was read from ${input.baseModelFile} (dequantised): an adapter applied to the original ${input.baseModelId} weights sees slightly different base weights`);
  }
  if (input.lora) lines.push(`- LoRA: rank ${input.lora.r}, alpha ${input.lora.alpha}, dropout ${input.lora.dropout}, on ${input.lora.targetModules.join(", ")}`);
  if (input.report?.config) lines.push("", "```json", JSON.stringify(input.report.config, null, 2), "```");
  lines.push("");
  return lines;
}

function usageSection(input: ModelCardInput): string[] {
  const fim = "<|fim_prefix|>def add(a, b):\\n    <|fim_suffix|>\\n<|fim_middle|>";
  const lines = ["## Use", "", "A fill-in-the-middle code model: give it the text before and after the cursor.", "", "```python", "from transformers import AutoModelForCausalLM, AutoTokenizer", "", 'tok = AutoTokenizer.from_pretrained(".")', 'model = AutoModelForCausalLM.from_pretrained(".")', `ids = tok("${fim}", return_tensors="pt").input_ids`, "out = model.generate(ids, max_new_tokens=32)", "print(tok.decode(out[0, ids.shape[1]:], skip_special_tokens=True))", "```", ""];
  if (input.adapterFolder) {
    lines.push(`model.safetensors holds the base with the LoRA adapter merged in. The adapter alone is in \`${input.adapterFolder}/\` (PEFT): \`PeftModel.from_pretrained(base, "${input.adapterFolder}")\` on top of the base.`, "");
  }
  lines.push("Bring a model trained further elsewhere back with `repotune import DIR`: it is evaluated on the same held-out files and served only if it is better.", "");
  return lines;
}

export function renderModelCard(input: ModelCardInput): string {
  const title = `${input.repoName ? `${input.repoName}: ` : ""}RepoTune ${input.role} model`;
  const notes = input.report?.notes?.length ? ["## Notes", "", ...input.report.notes.map((n) => `- ${n}`), ""] : [];
  return [...header(input), "", `# ${title}`, "", `Fine-tuned by RepoTune on one repository${input.repoName ? ` (${input.repoName})` : ""}, on the user's machine.`, "", ...dataSection(input.manifest, input.manifestUnreadable), ...evalSection(input), ...settingsSection(input), ...usageSection(input), ...notes].join("\n");
}
