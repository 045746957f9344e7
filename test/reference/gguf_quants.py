"""llama.cpp's gguf-py as the third-party reference for RepoTune's GGUF quantised types.

  gguf_quants.py dequant DIR            each DIR/<TYPE>.bin (raw blocks) -> DIR/<TYPE>.f32
  gguf_quants.py quantize IN.f32 OUT TYPE   float32 values -> TYPE blocks (gguf-py's quantiser)
  gguf_quants.py requantize IN.gguf OUT.gguf TYPE
      copies a GGUF with gguf-py's reader and writer, its 2-D weights stored as TYPE (rows that
      are not whole blocks stay as they were). Q4_K has no quantiser in gguf-py: a plain one is
      below (min/max per sub-block; not llama.cpp's search, but valid blocks that its
      dequantiser reads back close to the input).

Needs numpy and gguf-py on PYTHONPATH (llama.cpp's source, cloned by test/helpers/llama-source.ts).
"""
import os
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T, quants


def dequant(folder):
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".bin"):
            continue
        qtype = T[name[:-4]]
        blocks = np.fromfile(os.path.join(folder, name), dtype=np.uint8)
        values = quants.dequantize(blocks, qtype).astype(np.float32)
        values.tofile(os.path.join(folder, name[:-4] + ".f32"))


def q4_k_blocks(values):
    """float32 rows (whole 256-value super-blocks) -> Q4_K blocks of 144 bytes."""
    x = values.reshape(-1, 8, 32).astype(np.float32)
    lo = np.minimum(x.min(axis=-1), 0.0)
    hi = x.max(axis=-1)
    scale = (hi - lo) / 15.0
    mins = -lo
    d = (scale.max(axis=-1) / 63.0).astype(np.float16)
    dmin = (mins.max(axis=-1) / 63.0).astype(np.float16)
    df = d.astype(np.float32)[:, None]
    dmf = dmin.astype(np.float32)[:, None]
    sc = np.clip(np.round(np.divide(scale, df, out=np.zeros_like(scale), where=df > 0)), 0, 63).astype(np.uint8)
    m = np.clip(np.round(np.divide(mins, dmf, out=np.zeros_like(mins), where=dmf > 0)), 0, 63).astype(np.uint8)
    step = (df * sc)[..., None]
    offset = (dmf * m)[..., None]
    q = np.clip(np.round(np.divide(x + offset, step, out=np.zeros_like(x), where=step > 0)), 0, 15).astype(np.uint8)
    n = x.shape[0]
    scales = np.zeros((n, 12), dtype=np.uint8)
    scales[:, 0:4] = (sc[:, 0:4] & 63) | ((sc[:, 4:8] >> 4) << 6)
    scales[:, 4:8] = (m[:, 0:4] & 63) | ((m[:, 4:8] >> 4) << 6)
    scales[:, 8:12] = (sc[:, 4:8] & 0x0F) | ((m[:, 4:8] & 0x0F) << 4)
    # Each 32 bytes hold two sub-blocks: the even one in the low nibbles, the odd in the high.
    qs = (q[:, 0::2, :] | (q[:, 1::2, :] << 4)).reshape(n, 128)
    return np.concatenate([d.view(np.uint8).reshape(n, 2), dmin.view(np.uint8).reshape(n, 2), scales, qs], axis=1)


def quantize_values(values, qtype):
    if qtype == T.Q4_K:
        return q4_k_blocks(values).reshape(-1)
    return quants.quantize(values.reshape(-1, quants.GGML_QUANT_SIZES[qtype][0]), qtype).reshape(-1)


def quantize(src, out, type_name):
    values = np.fromfile(src, dtype=np.float32)
    quantize_values(values, T[type_name]).tofile(out)


def requantize(src, out, type_name):
    qtype = T[type_name]
    block = quants.GGML_QUANT_SIZES[qtype][0]
    reader = gguf.GGUFReader(src)
    arch = reader.fields["general.architecture"].contents()
    writer = gguf.GGUFWriter(out, arch)
    for field in reader.fields.values():
        if field.name == "general.architecture" or field.name.startswith("GGUF."):
            continue
        vtype = field.types[0]
        sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), vtype, sub_type=sub)
    for t in reader.tensors:
        data = np.asarray(t.data)
        shape = list(reversed([int(d) for d in t.shape]))  # ggml order -> row-major
        if len(shape) >= 2 and shape[-1] % block == 0 and t.tensor_type == T.F32:
            q = quantize_values(data.astype(np.float32).reshape(-1), qtype)
            writer.add_tensor(t.name, q.reshape(shape[:-1] + [-1]), raw_shape=q.reshape(shape[:-1] + [-1]).shape, raw_dtype=qtype)
        else:
            writer.add_tensor(t.name, data.reshape(shape), raw_dtype=t.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {"dequant": dequant, "quantize": quantize, "requantize": requantize}[cmd](*args)
