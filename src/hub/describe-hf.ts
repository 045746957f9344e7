// A Hugging Face model folder described from config.json and the JSON headers of its
// safetensors files (SafetensorsFile.open reads the header only), never the weights.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { readHfConfig } from "../core/formats/hf-model";
import { DTYPE_SIZES } from "../core/formats/safetensors";
import { elementCount } from "../core/formats/safetensors-common";
import { openSafetensorsShards } from "../core/formats/safetensors-shards";
import type { ModelFacts } from "./describe-model";

const DTYPE_LABEL: Readonly<Record<string, string>> = { float32: "F32", float16: "F16", bfloat16: "BF16" };

function readConfig(dir: string): Record<string, unknown> | string {
  try {
    const raw: unknown = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) return raw as Record<string, unknown>;
    return "config.json is not a JSON object";
  } catch (err) {
    return `config.json cannot be read (${(err as Error).message})`;
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Weight files of any format, for the size shown when the safetensors cannot be read. */
function weightFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => /\.(safetensors|bin|pt|pth)$/.test(f));
  } catch {
    return [];
  }
}

export function describeHfFolder(dir: string): ModelFacts | { skipped: string } {
  if (!existsSync(join(dir, "config.json"))) return { skipped: `${dir} has no config.json: not a Hugging Face model folder` };
  const raw = readConfig(dir);
  const cfg = typeof raw === "string" ? {} : raw;
  const facts: ModelFacts = {
    format: "hf",
    architecture: typeof cfg.model_type === "string" ? cfg.model_type : null,
    parameters: null,
    quantisation: typeof cfg.torch_dtype === "string" ? (DTYPE_LABEL[cfg.torch_dtype] ?? cfg.torch_dtype) : null,
    contextLength: typeof cfg.max_position_embeddings === "number" ? cfg.max_position_embeddings : null,
    fileBytes: weightFiles(dir).reduce((n, f) => n + sizeOf(join(dir, f)), 0),
    canServe: false,
    canTrain: false,
  };
  const reasons: string[] = [];
  if (typeof raw === "string") reasons.push(raw);
  // Parameters and the dtype fallback from the safetensors headers (the files a model uses:
  // model.safetensors or the shards its index names, so a stray consolidated copy is not counted twice).
  let shardsOk = false;
  try {
    const shards = openSafetensorsShards(dir);
    try {
      let parameters = 0;
      let bytes = 0;
      const bytesByDtype = new Map<string, number>();
      for (const s of shards) {
        bytes += sizeOf(s.path);
        for (const info of s.tensors.values()) {
          const n = elementCount(info.shape);
          parameters += n;
          bytesByDtype.set(info.dtype, (bytesByDtype.get(info.dtype) ?? 0) + n * DTYPE_SIZES[info.dtype]);
        }
      }
      facts.parameters = parameters;
      facts.fileBytes = bytes;
      if (facts.quantisation === null) facts.quantisation = [...bytesByDtype].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
      shardsOk = true;
    } finally {
      for (const s of shards) s.close();
    }
  } catch (err) {
    const hasBin = weightFiles(dir).some((f) => !f.endsWith(".safetensors"));
    reasons.push(hasBin ? "its weights are PyTorch .bin files; RepoTune reads safetensors only (most hub repos have both: download the .safetensors)" : (err as Error).message);
  }
  if (typeof raw !== "string") {
    try {
      readHfConfig(dir);
      if (shardsOk) {
        if (existsSync(join(dir, "tokenizer.json"))) {
          // Serving goes through our GGUF export, which reads the same tensors training does.
          facts.canServe = true;
          facts.canTrain = true;
        } else {
          reasons.push("no tokenizer.json (a model saved with only a slow tokenizer: load it in transformers and save_pretrained once to write one)");
        }
      }
    } catch (err) {
      reasons.push((err as Error).message);
    }
  }
  if (reasons.length) facts.why = reasons.join("; ");
  return facts;
}
