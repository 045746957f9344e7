#!/usr/bin/python3
"""Logits of an exported Hugging Face model folder, computed the way transformers would load
it: config.json, model.safetensors by Hugging Face's tensor names (F32, F16 or BF16), the head
tied to the embeddings when config.json says so. With ADAPTER_DIR, a PEFT LoRA adapter is
merged first as PEFT's merge_and_unload does: W += lora_alpha / r * B @ A for each factor
keyed base_model.model.<module>.lora_A.weight / lora_B.weight.

    hf_folder_logits.py FOLDER IDS.json OUT.safetensors [ADAPTER_DIR]

IDS.json: {"batchSize": B, "seqLen": T, "inputIds": [...]}. OUT gets logits [B, T, V].
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qwen2_reference import Qwen2, read_safetensors, write_safetensors  # noqa: E402


def merge_peft(params, adapter_dir):
    with open(os.path.join(adapter_dir, "adapter_config.json")) as f:
        config = json.load(f)
    r, alpha = config["r"], config["lora_alpha"]
    scaling = alpha / math.sqrt(r) if config.get("use_rslora") else alpha / r
    factors = read_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors"))
    merged = 0
    for key, a in factors.items():
        if not key.endswith(".lora_A.weight"):
            continue
        module = key[len("base_model.model.") : -len(".lora_A.weight")]
        b = factors[key.replace(".lora_A.", ".lora_B.")]
        params[module + ".weight"] = params[module + ".weight"] + scaling * (b @ a)
        merged += 1
    if merged == 0:
        raise SystemExit(f"{adapter_dir}: no LoRA factors found")


def main(folder, ids_path, out_path, adapter_dir=None):
    torch.set_num_threads(1)
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    assert config["architectures"][0] in ("Qwen2ForCausalLM", "LlamaForCausalLM"), config["architectures"]
    params = read_safetensors(os.path.join(folder, "model.safetensors"))
    if adapter_dir:
        merge_peft(params, adapter_dir)
    with open(ids_path) as f:
        b = json.load(f)
    ids = torch.tensor(b["inputIds"], dtype=torch.int64).view(b["batchSize"], b["seqLen"])
    with torch.no_grad():
        logits = Qwen2(config, params).forward(ids)
    write_safetensors(out_path, {"logits": logits})


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(*sys.argv[1:])
