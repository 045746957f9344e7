#!/usr/bin/python3
"""The Qwen2 architecture in plain PyTorch, written from transformers' modeling_qwen2.py
(eager attention), as the reference our TensorFlow.js engine is checked against, the way
llm.c checks itself against PyTorch (test_gpt2.c).

Run by test/unit/engine/parity.test.ts with Debian's PyTorch (/usr/bin/python3, package
python3-torch, with libopenblas0-pthread), and imported by bench/train_reference.py.
Needs only torch and numpy: safetensors files are read and written here by hand (the
format is an 8-byte little-endian header length, a JSON header, then raw tensor data).

    qwen2_reference.py CASE.json MODEL.safetensors OUT.safetensors

CASE.json: {"config": {...HF config.json...}, "batch": {"batchSize", "seqLen", "inputIds",
"targets", "attentionMask"?, "lossMask"?}, "adamw": {"lr", "beta1", "beta2", "eps",
"weightDecay", "steps"}}. OUT gets: logits [B,T,V], loss [1], grad.<name> for every
parameter, losses [steps] of the AdamW steps and step<N>.<name>, the weights after them.
"""
import json
import math
import struct
import sys

import numpy as np
import torch

IGNORE_INDEX = -100
_DTYPES = {"F32": np.float32, "F16": np.float16, "I32": np.int32, "I64": np.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] == "BF16":
            # bfloat16 is the top half of a float32: widen by shifting into the high bits.
            begin, end = info["data_offsets"]
            half = np.frombuffer(data[begin:end], dtype=np.uint16).astype(np.uint32) << 16
            out[name] = torch.from_numpy(half.view(np.float32).reshape(info["shape"]).copy())
            continue
        if info["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: {name}: dtype {info['dtype']} not supported by this reader")
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[begin:end], dtype=_DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.astype(np.float32) if info["dtype"] == "F16" else arr.copy())
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name].detach().cpu().numpy().astype(np.float32))
        blob = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


def is_weight_decayed(name):
    return not (name.endswith(".bias") or name.endswith("norm.weight"))


class Qwen2:
    """Parameters in a dict keyed by Hugging Face names, PyTorch layout (Linear weights [out, in])."""

    def __init__(self, config, params, lora=None, lora_scaling=1.0):
        self.c = config
        self.p = params
        # LoRA by hand: {module name ("model.layers.0.self_attn.q_proj"): (A [r, in], B [out, r])},
        # each adding scaling * (x A^T) B^T to its projection, as PEFT's lora.Linear does.
        self.lora = lora or {}
        self.lora_scaling = lora_scaling
        self.heads = config["num_attention_heads"]
        self.kv_heads = config.get("num_key_value_heads") or self.heads
        self.head_dim = config.get("head_dim") or config["hidden_size"] // self.heads
        self.bias = config.get("attention_bias", config.get("model_type", "qwen2") == "qwen2")
        self.eps = config.get("rms_norm_eps", 1e-6)
        self.theta = config.get("rope_theta", 10000.0)

    def rms_norm(self, x, w):
        # Qwen2RMSNorm
        variance = x.pow(2).mean(-1, keepdim=True)
        return w * (x * torch.rsqrt(variance + self.eps))

    def rope(self, seq_len):
        # Qwen2RotaryEmbedding (default rope type)
        d = self.head_dim
        inv_freq = 1.0 / (self.theta ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
        t = torch.arange(seq_len, dtype=torch.float32)
        freqs = torch.outer(t, inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos(), emb.sin()

    @staticmethod
    def rotate_half(x):
        x1 = x[..., : x.shape[-1] // 2]
        x2 = x[..., x.shape[-1] // 2 :]
        return torch.cat((-x2, x1), dim=-1)

    def linear(self, x, name, bias=False):
        y = x @ self.p[name + ".weight"].t()
        if name in self.lora:
            a, b = self.lora[name]
            y = y + self.lora_scaling * ((x @ a.t()) @ b.t())
        return y + self.p[name + ".bias"] if bias else y

    def forward(self, input_ids, attention_mask=None):
        B, T = input_ids.shape
        p = self.p
        h = p["model.embed_tokens.weight"][input_ids]
        cos, sin = self.rope(T)
        causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
        allowed = causal[None, None, :, :]
        if attention_mask is not None:
            allowed = allowed & attention_mask.bool()[:, None, None, :]
        mask = torch.zeros(allowed.shape, dtype=torch.float32).masked_fill(~allowed, torch.finfo(torch.float32).min)
        H, KV, D = self.heads, self.kv_heads, self.head_dim
        for i in range(self.c["num_hidden_layers"]):
            pre = f"model.layers.{i}."
            x = self.rms_norm(h, p[pre + "input_layernorm.weight"])
            q = self.linear(x, pre + "self_attn.q_proj", self.bias).view(B, T, H, D).transpose(1, 2)
            k = self.linear(x, pre + "self_attn.k_proj", self.bias).view(B, T, KV, D).transpose(1, 2)
            v = self.linear(x, pre + "self_attn.v_proj", self.bias).view(B, T, KV, D).transpose(1, 2)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            # repeat_kv
            k = k.repeat_interleave(H // KV, dim=1)
            v = v.repeat_interleave(H // KV, dim=1)
            scores = (q @ k.transpose(2, 3)) / math.sqrt(D) + mask
            probs = torch.softmax(scores, dim=-1, dtype=torch.float32)
            o = (probs @ v).transpose(1, 2).reshape(B, T, H * D)
            h = h + self.linear(o, pre + "self_attn.o_proj")
            x = self.rms_norm(h, p[pre + "post_attention_layernorm.weight"])
            g = self.linear(x, pre + "mlp.gate_proj")
            u = self.linear(x, pre + "mlp.up_proj")
            h = h + self.linear(torch.nn.functional.silu(g) * u, pre + "mlp.down_proj")
        h = self.rms_norm(h, p["model.norm.weight"])
        head = p["model.embed_tokens.weight"] if self.c.get("tie_word_embeddings", False) else p["lm_head.weight"]
        return h @ head.t()

    def loss(self, logits, targets, loss_mask=None):
        """Mean cross-entropy over counted positions (transformers' convention), weighted by loss_mask."""
        V = logits.shape[-1]
        flat_t = targets.reshape(-1)
        keep = (flat_t != IGNORE_INDEX).float()
        w = keep if loss_mask is None else keep * loss_mask.reshape(-1)
        nll = torch.nn.functional.cross_entropy(logits.reshape(-1, V), flat_t.clamp(min=0), reduction="none")
        return (nll * w).sum() / w.sum()


def make_adamw(params, a):
    decay = [t for n, t in params.items() if is_weight_decayed(n)]
    no_decay = [t for n, t in params.items() if not is_weight_decayed(n)]
    groups = [{"params": decay, "weight_decay": a["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=a["lr"], betas=(a["beta1"], a["beta2"]), eps=a["eps"], foreach=False)


def main(case_path, model_path, out_path):
    torch.set_num_threads(1)
    with open(case_path) as f:
        case = json.load(f)
    config, b = case["config"], case["batch"]
    B, T = b["batchSize"], b["seqLen"]
    input_ids = torch.tensor(b["inputIds"], dtype=torch.int64).view(B, T)
    targets = torch.tensor(b["targets"], dtype=torch.int64).view(B, T)
    attention_mask = torch.tensor(b["attentionMask"], dtype=torch.float32).view(B, T) if b.get("attentionMask") else None
    loss_mask = torch.tensor(b["lossMask"], dtype=torch.float32).view(B, T) if b.get("lossMask") else None

    params = {n: t.clone().requires_grad_(True) for n, t in read_safetensors(model_path).items()}
    model = Qwen2(config, params)
    out = {}
    logits = model.forward(input_ids, attention_mask)
    loss = model.loss(logits, targets, loss_mask)
    loss.backward()
    out["logits"] = logits
    out["loss"] = loss.reshape(1)
    for n, t in params.items():
        out["grad." + n] = t.grad.clone()

    a = case["adamw"]
    opt = make_adamw(params, a)
    losses = []
    for _ in range(a["steps"]):
        opt.zero_grad(set_to_none=True)
        step_loss = model.loss(model.forward(input_ids, attention_mask), targets, loss_mask)
        step_loss.backward()
        opt.step()
        losses.append(step_loss.item())
    out["losses"] = torch.tensor(losses, dtype=torch.float32)
    for n, t in params.items():
        out[f"step{a['steps']}.{n}"] = t
    write_safetensors(out_path, out)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
