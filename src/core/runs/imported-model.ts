// `repotune import DIR`: a model trained elsewhere (a Hugging Face folder, a TRL output folder
// with checkpoint-N inside, or a PEFT LoRA adapter on a base) made a model folder of this
// workspace, OUT/imports/ID/model, that the import run evaluates, exports and may activate.
// A copy, not a link: the cluster mount it came from may be gone tomorrow.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { writeFileAtomicSync } from "../fs/atomic-write";
import { readLoraFactors } from "../formats/hf-export/merge-lora";
import { PEFT_FILES, readPeftConfig } from "../formats/hf-export/peft-adapter-folder";
import { addedTokens } from "../formats/hf-export/tokenizer-config";
import { writeHfModelFolder, type HfExportDtype } from "../formats/hf-export/write-model-folder";
import { readHfConfig } from "../formats/hf-model";
import { FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX } from "../tokenizer/special-tokens";
import { mkdirPrivate } from "../fs/private-files";

export interface ImportedModel {
  /** The workspace's copy: a Hugging Face folder (config.json, model.safetensors, tokenizer.json). */
  dir: string;
  kind: "model" | "adapter";
  /** Where it came from (the checkpoint-N picked, for a trainer's output folder). */
  source: string;
  /** The base an adapter was merged onto. */
  base: string | null;
}

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportError";
  }
}

const hasWeights = (d: string) => existsSync(join(d, "config.json")) && (existsSync(join(d, "model.safetensors")) || existsSync(join(d, "model.safetensors.index.json")));
const hasAdapter = (d: string) => existsSync(join(d, PEFT_FILES.config)) && existsSync(join(d, PEFT_FILES.weights));

/** DIR, or the newest checkpoint-N inside it when DIR is a trainer's output folder holding only those. */
export function importSource(dir: string): { dir: string; kind: "model" | "adapter" } {
  const root = resolve(dir);
  if (!existsSync(root)) throw new ImportError(`${root} does not exist`);
  if (hasWeights(root)) return { dir: root, kind: "model" };
  if (hasAdapter(root)) return { dir: root, kind: "adapter" };
  const steps = readdirSync(root)
    .map((name) => ({ name, step: Number(/^checkpoint-(\d+)$/.exec(name)?.[1] ?? NaN) }))
    .filter((e) => Number.isFinite(e.step) && statSync(join(root, e.name)).isDirectory())
    .sort((a, b) => b.step - a.step);
  for (const { name } of steps) {
    const d = join(root, name);
    if (hasWeights(d)) return { dir: d, kind: "model" };
    if (hasAdapter(d)) return { dir: d, kind: "adapter" };
  }
  throw new ImportError(
    `${root} holds no model to import: expected config.json with model.safetensors (a Hugging Face model folder), adapter_config.json with adapter_model.safetensors (a PEFT adapter), or checkpoint-N folders holding either`,
  );
}

/** The imported model must complete as the editor asks: fill-in-the-middle with its own tokens. */
function checkTokenizer(dir: string): void {
  const path = join(dir, "tokenizer.json");
  if (!existsSync(path)) throw new ImportError(`${dir}: no tokenizer.json; save the tokenizer with the model (tokenizer.save_pretrained(output_dir)) and import again`);
  const tokens = new Set(addedTokens(JSON.parse(readFileSync(path, "utf8"))).map((t) => t.content));
  const missing = [FIM_PREFIX, FIM_SUFFIX, FIM_MIDDLE].filter((t) => !tokens.has(t));
  if (missing.length) throw new ImportError(`${path}: no ${missing.join(", ")} token(s): RepoTune completes by fill-in-the-middle, so it imports code models that have them (Qwen2.5-Coder, or models RepoTune exported)`);
}

function dtypeOf(dir: string): HfExportDtype {
  // transformers 5 writes `dtype` where 4.x wrote `torch_dtype`.
  const c = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as { torch_dtype?: string; dtype?: string };
  const d = c.torch_dtype ?? c.dtype;
  return d === "bfloat16" ? "bf16" : d === "float16" ? "f16" : "f32";
}

/**
 * Copies (a model) or merges onto `base` (an adapter) into OUT/imports/ID/model, checked on the
 * way: a known architecture, a tokenizer with FIM tokens, tensors that fit config.json.
 * `base` is a Hugging Face folder on this machine; null for a full model.
 */
export function importModelFolder(dir: string, out: string, base: string | null, now: Date = new Date()): ImportedModel {
  const source = importSource(dir);
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const target = join(out, "imports", `${stamp}-${basename(source.dir).replace(/[^\w.-]+/g, "_")}`, "model");
  let from = source.dir;
  let lora = null;
  if (source.kind === "adapter") {
    const config = readPeftConfig(source.dir);
    if (!base) {
      const named = typeof config.base_model_name_or_path === "string" ? ` (its adapter_config.json names ${config.base_model_name_or_path})` : "";
      throw new ImportError(`${source.dir} is a LoRA adapter: give the Hugging Face folder of its base with --base${named}`);
    }
    if (!hasWeights(base)) throw new ImportError(`--base ${base}: an adapter is merged onto a Hugging Face model folder (config.json and model.safetensors); export one with \`repotune export --format hf\`, or use the base's folder in the Hugging Face cache`);
    from = base;
    lora = readLoraFactors(join(source.dir, PEFT_FILES.weights), config);
  }
  readHfConfig(from); // architecture and config.json checked before anything is written
  checkTokenizer(from);
  rmSync(target, { recursive: true, force: true });
  mkdirPrivate(target); // 0700: see core/fs/private-files.ts
  try {
    writeHfModelFolder(from, target, dtypeOf(from), lora);
  } catch (err) {
    rmSync(join(target, ".."), { recursive: true, force: true }); // no half-made import is left to be picked up
    throw err instanceof ImportError ? err : new ImportError(`${source.dir}: ${(err as Error).message}`);
  }
  const imported: ImportedModel = { dir: target, kind: source.kind, source: source.dir, base: source.kind === "adapter" ? base : null };
  writeFileAtomicSync(join(target, "..", "import.json"), JSON.stringify({ ...imported, importedAt: now.toISOString() }, null, 2) + "\n");
  return imported;
}
