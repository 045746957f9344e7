// A checkpoint of ours -> a Hugging Face model folder that transformers' AutoModelForCausalLM
// and AutoTokenizer load as they are: config.json (Qwen2ForCausalLM or LlamaForCausalLM),
// model.safetensors by Hugging Face's tensor names in the dtype asked for, tokenizer.json,
// tokenizer_config.json and generation_config.json. Training state (optimizer, trainer state,
// our manifest) stays behind: it means nothing to another trainer.
import { copyFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../fs/atomic-write";
import type { Architecture } from "../arch";
import { readHfConfig } from "../hf-model";
import { parseQwen2Config, type Qwen2Config } from "../qwen2-config";
import { openSafetensorsShards } from "../safetensors-shards";
import { SafetensorsFile, writeSafetensors, type TensorToWrite } from "../safetensors";
import { ENDOFTEXT } from "../../tokenizer/special-tokens";
import { mergeFactors, type LoraFactors } from "./merge-lora";
import { generationConfigJson, tokenId, tokenizerConfigJson } from "./tokenizer-config";

export type HfExportDtype = "f32" | "f16" | "bf16";

/**
 * A reward model's score head (engine/reward: score.weight [1, hidden], read at the last
 * token), written beside the decoder as transformers' Qwen2ForSequenceClassification holds it.
 */
export interface ClassifierHead {
  weightsFile: string;
  architecture: "Qwen2ForSequenceClassification" | "LlamaForSequenceClassification";
}

const SAFETENSORS_DTYPE = { f32: "F32", f16: "F16", bf16: "BF16" } as const;
const TORCH_DTYPE = { f32: "float32", f16: "float16", bf16: "bfloat16" } as const;

export interface HfModelFolder {
  dir: string;
  architecture: Architecture;
  config: Qwen2Config;
  /** Bytes of every file written. */
  bytes: number;
  files: string[];
  tensors: number;
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";

/**
 * Writes the folder's model files into `outDir` (created); the model card is the caller's.
 * With `lora`, the weights it adapts are written merged (W + scaling * B A).
 */
export function writeHfModelFolder(checkpointDir: string, outDir: string, dtype: HfExportDtype, lora: LoraFactors | null = null, head: ClassifierHead | null = null): HfModelFolder {
  const raw = JSON.parse(readFileSync(join(checkpointDir, "config.json"), "utf8")) as Record<string, unknown>;
  const { architecture, stopTokenIds } = readHfConfig(checkpointDir);
  const tokenizerText = readFileSync(join(checkpointDir, "tokenizer.json"), "utf8");
  const tokenizerJson: unknown = JSON.parse(tokenizerText);
  const endOfText = tokenId(tokenizerJson, ENDOFTEXT);
  const eos = stopTokenIds.length ? stopTokenIds : endOfText === null ? [] : [endOfText];
  const config = parseQwen2Config({
    ...raw,
    architectures: [head ? head.architecture : architecture.hfClass],
    ...(head ? { num_labels: 1, id2label: { 0: "LABEL_0" }, label2id: { LABEL_0: 0 }, pad_token_id: eos[0] ?? null } : {}),
    model_type: architecture.name,
    torch_dtype: TORCH_DTYPE[dtype],
    eos_token_id: eos.length === 1 ? eos[0] : eos.length ? eos : null,
    transformers_version: "4.46.0",
  });
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, text: string) => {
    writeFileAtomicSync(join(outDir, name), text);
    files.push(name);
  };
  write("config.json", json(config));
  write("generation_config.json", json(generationConfigJson(eos, typeof config.bos_token_id === "number" ? config.bos_token_id : null)));
  copyFileSync(join(checkpointDir, "tokenizer.json"), join(outDir, "tokenizer.json"));
  files.push("tokenizer.json");
  write("tokenizer_config.json", json(tokenizerConfigJson(tokenizerJson, config.max_position_embeddings)));

  // The decoder's shards and, for a reward model, its score head: all open until written.
  const shards = [...openSafetensorsShards(checkpointDir), ...(head ? [SafetensorsFile.open(head.weightsFile)] : [])];
  const list: [string, TensorToWrite][] = [];
  try {
    for (const file of shards) {
      for (const [name, info] of file.tensors) {
        if (/rotary_emb\.inv_freq$/.test(name)) continue;
        // A tied head is the embedding: transformers re-ties it and warns about a stray copy.
        if (name === "lm_head.weight" && config.tie_word_embeddings) continue;
        list.push([name, { dtype: SAFETENSORS_DTYPE[dtype], shape: info.shape, data: () => (lora ? mergeFactors(name, file.readFloat32(name).data, info.shape, lora) : file.readFloat32(name).data) }]);
      }
    }
    const unknown = lora ? [...lora.pairs.keys()].filter((w) => !list.some(([n]) => n === w)) : [];
    if (unknown.length) throw new Error(`${checkpointDir}: the LoRA adapter adapts weights this model does not have: ${unknown.slice(0, 3).join(", ")}`);
    writeSafetensors(join(outDir, "model.safetensors"), list, { format: "pt" });
    files.push("model.safetensors");
  } finally {
    for (const f of shards) f.close();
  }
  const bytes = files.reduce((sum, f) => sum + statSync(join(outDir, f)).size, 0);
  return { dir: outDir, architecture, config, bytes, files, tensors: list.length };
}
