// A Hugging Face model folder (a snapshot of the hub cache, a checkpoint of ours, a model
// trained elsewhere) as the engine's decoder: config.json (Qwen2ForCausalLM, LlamaForCausalLM),
// safetensors weights in f32, f16 or bf16, sharded or not, tokenizer.json, and the stop ids of
// generation_config.json. Every problem names the file and what to do.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { architectureOfConfig, type Architecture } from "./arch";
import { parseQwen2Config, parameterShapes, type Qwen2Config } from "./qwen2-config";
import { openSafetensorsShards } from "./safetensors-shards";
import { loadTokenizerJson, type Tokenizer } from "../tokenizer";
import type { ModelTensor } from "./gguf/read-model";

export interface HfModel {
  architecture: Architecture;
  config: Qwen2Config;
  tokenizer: Tokenizer;
  tensors: Map<string, ModelTensor>;
  /** generation_config.json's eos_token_id(s), else config.json's: where generation stops. */
  stopTokenIds: number[];
}

export class ModelFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelFolderError";
  }
}

function readJson(path: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ModelFolderError(`${path}: ${existsSync(path) ? `not valid JSON (${(err as Error).message})` : "missing"}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ModelFolderError(`${path}: not a JSON object`);
  return raw as Record<string, unknown>;
}

function ids(v: unknown): number[] {
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is number => typeof x === "number" && Number.isInteger(x) && x >= 0);
}

/** config.json, its architecture and the stop ids, without touching the weights. */
export function readHfConfig(dir: string): { architecture: Architecture; config: Qwen2Config; stopTokenIds: number[] } {
  const configPath = join(dir, "config.json");
  const raw = readJson(configPath);
  let architecture: Architecture;
  let config: Qwen2Config;
  try {
    architecture = architectureOfConfig(raw, configPath);
    config = parseQwen2Config(raw);
  } catch (err) {
    throw new ModelFolderError(`${configPath}: ${(err as Error).message.replace(/^config\.json: /, "")}`);
  }
  const genPath = join(dir, "generation_config.json");
  const gen = existsSync(genPath) ? readJson(genPath) : {};
  const stopTokenIds = ids(gen.eos_token_id ?? raw.eos_token_id);
  return { architecture, config, stopTokenIds };
}

export function readHfModel(dir: string): HfModel {
  const { architecture, config, stopTokenIds } = readHfConfig(dir);
  const tokPath = join(dir, "tokenizer.json");
  if (!existsSync(tokPath)) {
    throw new ModelFolderError(`${dir}: no tokenizer.json (a model saved with only a slow tokenizer's vocab.json/merges.txt: load it in transformers and save_pretrained once to write one)`);
  }
  const tokenizer = loadTokenizerJson(tokPath);
  const expected = parameterShapes(config);
  const tensors = new Map<string, ModelTensor>();
  const shards = openSafetensorsShards(dir);
  try {
    for (const file of shards) {
      for (const [name, info] of file.tensors) {
        if (/rotary_emb\.inv_freq$/.test(name)) continue; // recomputed from rope_theta
        if (name === "lm_head.weight" && config.tie_word_embeddings) continue;
        const want = expected.get(name);
        if (!want) throw new ModelFolderError(`${file.path}: tensor ${name} is not part of a ${architecture.name} model with this config.json`);
        if (want.join() !== info.shape.join()) {
          throw new ModelFolderError(`${file.path}: tensor ${name} has shape [${info.shape.join(", ")}], config.json implies [${want.join(", ")}]`);
        }
        tensors.set(name, { shape: [...info.shape], data: file.readFloat32(name).data });
      }
    }
  } finally {
    for (const f of shards) f.close();
  }
  const missing = [...expected.keys()].filter((n) => !tensors.has(n));
  if (missing.length) throw new ModelFolderError(`${dir}: the weights lack ${missing.length} tensor(s) config.json needs, e.g. ${missing.slice(0, 3).join(", ")} (an incomplete download?)`);
  if (tokenizer.vocabSize > config.vocab_size) throw new ModelFolderError(`${tokPath}: ${tokenizer.vocabSize} tokens, but config.json's vocab_size is ${config.vocab_size}`);
  return { architecture, config, tokenizer, tensors, stopTokenIds };
}
