// What `--base X` / the repotune.base setting names: a path, a catalog model, or a model found
// on the machine by its listed name. Resolution never downloads: a catalog model that is not
// there yet is an error that gives the command that fetches it.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { catalogModel, catalogPath, formatBytes } from "./catalog";
import { inspectModel, type FoundModel } from "./describe-model";
import { findModels } from "./find-models";
import type { LocationOptions } from "./model-locations";

export interface ResolveOptions extends LocationOptions {
  /** RepoTune's models folder, where `repotune models pull` puts catalog models. */
  folder: string;
  /** What a relative path is relative to (the workspace folder); default the current folder. */
  cwd?: string;
  /** The base will be trained on, not only served: it must be one our readers load whole. */
  forTraining?: boolean;
}

export interface ResolvedBase {
  path: string;
  model?: FoundModel;
}

function checked(model: FoundModel, forTraining: boolean | undefined): ResolvedBase {
  if (!model.canServe) throw new Error(`${model.name} (${model.path}) cannot be used as a base model: ${model.why ?? "llama.cpp cannot load it"}`);
  if (forTraining && !model.canTrain) {
    throw new Error(`${model.name} (${model.path}) can serve completions but RepoTune cannot train from it: ${model.why ?? "its tensors cannot be read"}; choose another base (repotune models), or none to train from scratch`);
  }
  return { path: model.path, model };
}

function described(path: string, source: FoundModel["source"], foundIn: string, forTraining: boolean | undefined, name?: string): ResolvedBase {
  const r = inspectModel(path, source, foundIn, name);
  if ("skipped" in r) throw new Error(`${r.skipped}: name a base model (a .gguf file or a Hugging Face model folder) instead`);
  return checked(r.model, forTraining);
}

export function resolveBase(nameOrPath: string, opts: ResolveOptions): ResolvedBase {
  const wanted = nameOrPath.trim();
  if (wanted === "") throw new Error("no base model named: give a path, a catalog name such as qwen2.5-coder-0.5b, or a name from `repotune models`");
  // A path wins over a name: "./qwen2.5-coder-0.5b" in the repo is what the user pointed at.
  const asPath = resolve(opts.cwd ?? process.cwd(), wanted);
  if (existsSync(asPath)) return described(asPath, "path", asPath, opts.forTraining);
  const entry = catalogModel(wanted);
  if (entry) {
    const path = catalogPath(entry, opts.folder);
    if (existsSync(path)) return described(path, "repotune", opts.folder, opts.forTraining, entry.name);
    throw new Error(`${entry.name} is not downloaded yet: run \`repotune models pull ${entry.name}\` (about ${formatBytes(entry.approxBytes)})`);
  }
  const found = findModels(opts);
  const key = wanted.toLowerCase();
  const match = found.find((m) => m.name.toLowerCase() === key);
  if (match) return checked(match, opts.forTraining);
  const usable = found.filter((m) => m.canServe).map((m) => m.name);
  const listed = usable.length ? ` Models found on this machine: ${usable.slice(0, 10).join(", ")}${usable.length > 10 ? `, and ${usable.length - 10} more` : ""}.` : "";
  throw new Error(
    `no base model called ${JSON.stringify(wanted)}: it is not a path, not a catalog model (qwen2.5-coder-0.5b, qwen2.5-coder-1.5b, qwen2.5-coder-3b) and not the name of a model found on this machine.${listed} Run \`repotune models\` to list them all.`,
  );
}
