// The hub id of a base as this machine holds it: what another machine (a cluster's
// transformers, PEFT's base_model_name_or_path, a model card's base_model) loads it by. A
// snapshot of the Hugging Face cache says it in its path (models--Org--Name); a GGUF of our
// catalogue maps to the repo of its original weights. Anything else has none we can know.
import { basename } from "node:path";
import { CATALOG } from "./catalog";

export function hubIdOf(path: string): string | null {
  const file = basename(path);
  const listed = CATALOG.find((m) => m.file === file);
  if (listed) return listed.sourceRepo;
  const cached = path.split(/[\\/]/).find((part) => part.startsWith("models--"));
  if (!cached) return null;
  const [org, ...name] = cached.slice("models--".length).split("--");
  if (!org || !name.length) return null;
  const repo = `${org}/${name.join("--")}`;
  // A GGUF repo of a catalogued model: its original weights are the base elsewhere.
  return CATALOG.find((m) => m.repo === repo)?.sourceRepo ?? repo;
}

