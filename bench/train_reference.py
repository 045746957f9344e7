#!/usr/bin/python3
"""The PyTorch side of `repotune bench train`: the same model (test/reference/qwen2_reference.py),
the same batch shape, full training steps (forward, backward, AdamW), timed per step.

    OMP_NUM_THREADS=2 /usr/bin/python3 bench/train_reference.py SPEC.json

SPEC.json: {"config": {...config.json...}, "batchSize", "seqLen", "steps", "threads", "lora"?}.
With "lora": {"r", "alpha", "targets": [module names]} the base is frozen and only the adapters'
A and B train (LoRA written by hand in qwen2_reference.py), as `repotune bench train --lora`.
Prints JSON: {"stepMs": [...timed steps, after one warm-up...], "cpuMs" (CPU time of all threads),
"losses", "peakRssMb", "engine"}.
Debian's PyTorch uses whatever libblas.so.3 is selected: with libopenblas0-pthread installed
that is OpenBLAS (otherwise the slow reference BLAS, and the comparison means little).
"""
import json
import math
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "reference"))
from qwen2_reference import Qwen2, make_adamw  # noqa: E402


def blas_name():
    try:
        with open("/proc/self/maps") as f:
            maps = f.read()
        if "openblas" in maps:
            return "OpenBLAS"
        if "libmkl" in maps:
            return "MKL"
        if "libblas" in maps:
            return "reference BLAS (slow: apt-get install libopenblas0-pthread)"
    except OSError:
        pass
    return "unknown BLAS"


def init_params(c, gen):
    d, hd = c["hidden_size"], c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
    q, kv, f, v = c["num_attention_heads"] * hd, c["num_key_value_heads"] * hd, c["intermediate_size"], c["vocab_size"]
    std = c.get("initializer_range", 0.02)
    shapes = {"model.embed_tokens.weight": (v, d), "model.norm.weight": (d,)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        shapes.update({
            p + "input_layernorm.weight": (d,), p + "post_attention_layernorm.weight": (d,),
            p + "self_attn.q_proj.weight": (q, d), p + "self_attn.k_proj.weight": (kv, d), p + "self_attn.v_proj.weight": (kv, d),
            p + "self_attn.o_proj.weight": (d, q), p + "mlp.gate_proj.weight": (f, d), p + "mlp.up_proj.weight": (f, d), p + "mlp.down_proj.weight": (d, f),
        })
        if c.get("attention_bias", True):
            shapes.update({p + "self_attn.q_proj.bias": (q,), p + "self_attn.k_proj.bias": (kv,), p + "self_attn.v_proj.bias": (kv,)})
    if not c.get("tie_word_embeddings", False):
        shapes["lm_head.weight"] = (v, d)
    params = {}
    for name, shape in shapes.items():
        if name.endswith("norm.weight"):
            t = torch.ones(shape)
        elif name.endswith(".bias"):
            t = torch.zeros(shape)
        else:
            t = torch.randn(shape, generator=gen) * std
        params[name] = t.requires_grad_(True)
    return params


def main(spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    torch.set_num_threads(int(spec.get("threads", 2)))
    c, B, T, steps = spec["config"], spec["batchSize"], spec["seqLen"], spec["steps"]
    gen = torch.Generator().manual_seed(0)
    params = init_params(c, gen)
    lora_spec = spec.get("lora")
    if lora_spec:
        for t in params.values():
            t.requires_grad_(False)
        r = lora_spec["r"]
        factors, trained = {}, {}
        for i in range(c["num_hidden_layers"]):
            for module in lora_spec["targets"]:
                name = f"model.layers.{i}.{'mlp' if module.endswith(('gate_proj', 'up_proj', 'down_proj')) else 'self_attn'}.{module}"
                out_dim, in_dim = params[name + ".weight"].shape
                # PEFT's init: A Kaiming-uniform (bound 1/sqrt(in)), B zeros.
                a = ((torch.rand((r, in_dim), generator=gen) * 2 - 1) / math.sqrt(in_dim)).requires_grad_(True)
                b = torch.zeros((out_dim, r)).requires_grad_(True)
                factors[name] = (a, b)
                trained[name + ".lora_A.weight"], trained[name + ".lora_B.weight"] = a, b
        model = Qwen2(c, params, factors, lora_spec["alpha"] / r)
        opt = make_adamw(trained, {"lr": 1e-3, "beta1": 0.9, "beta2": 0.95, "eps": 1e-8, "weightDecay": 0.1})
    else:
        model = Qwen2(c, params)
        opt = make_adamw(params, {"lr": 1e-3, "beta1": 0.9, "beta2": 0.95, "eps": 1e-8, "weightDecay": 0.1})
    batches = []
    for _ in range(2):
        rows = torch.randint(0, c["vocab_size"], (B, T + 1), generator=gen)
        batches.append((rows[:, :-1].contiguous(), rows[:, 1:].contiguous()))
    step_ms, cpu_ms, losses = [], [], []
    for s in range(steps + 1):
        x, y = batches[s % 2]
        t0 = time.perf_counter()
        c0 = time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = model.loss(model.forward(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        ms = (time.perf_counter() - t0) * 1000
        if s > 0:
            step_ms.append(ms)
            cpu_ms.append((time.process_time() - c0) * 1000)
        print(f"torch step {s}: {ms:.0f} ms, loss {losses[-1]:.4f}", file=sys.stderr)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"stepMs": step_ms, "cpuMs": cpu_ms, "losses": losses, "peakRssMb": round(peak), "engine": f"PyTorch {torch.__version__}, {blas_name()}"}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
