// Quantised blocks back to float32, value for value as llama.cpp's reference dequantisers
// (ggml/src/ggml-quants.c, dequantize_row_*) compute them, so a base read here is the model
// llama.cpp serves. Each function walks whole blocks of one type.
import { f16BitsToF32 } from "../../float16";
import { GGML_BLOCK, type GgmlTypeName } from "./block-types";

type Dequantizer = (src: Uint8Array, out: Float32Array) => void;

const half = (b: Uint8Array, at: number): number => f16BitsToF32(b[at]! | (b[at + 1]! << 8));
const u32le = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

function blocks(type: GgmlTypeName, src: Uint8Array, out: Float32Array, each: (at: number, y: number) => void): void {
  const { elements, bytes } = GGML_BLOCK[type];
  for (let at = 0, y = 0; y < out.length; at += bytes, y += elements) each(at, y);
}

const q4_0: Dequantizer = (s, out) =>
  blocks("Q4_0", s, out, (at, y) => {
    const d = half(s, at);
    for (let j = 0; j < 16; j++) {
      const q = s[at + 2 + j]!;
      out[y + j] = ((q & 0x0f) - 8) * d;
      out[y + j + 16] = ((q >> 4) - 8) * d;
    }
  });

const q4_1: Dequantizer = (s, out) =>
  blocks("Q4_1", s, out, (at, y) => {
    const d = half(s, at);
    const m = half(s, at + 2);
    for (let j = 0; j < 16; j++) {
      const q = s[at + 4 + j]!;
      out[y + j] = (q & 0x0f) * d + m;
      out[y + j + 16] = (q >> 4) * d + m;
    }
  });

/** Q5_0 and Q5_1: a fifth bit per value from a 32-bit mask. */
function q5(type: "Q5_0" | "Q5_1"): Dequantizer {
  const hasMin = type === "Q5_1";
  const qhAt = hasMin ? 4 : 2;
  return (s, out) =>
    blocks(type, s, out, (at, y) => {
      const d = half(s, at);
      const m = hasMin ? half(s, at + 2) : 0;
      const qh = u32le(s, at + qhAt);
      const offset = hasMin ? 0 : 16;
      for (let j = 0; j < 16; j++) {
        const q = s[at + qhAt + 4 + j]!;
        const x0 = ((q & 0x0f) | (((qh >>> j) << 4) & 0x10)) - offset;
        const x1 = ((q >> 4) | ((qh >>> (j + 12)) & 0x10)) - offset;
        out[y + j] = x0 * d + m;
        out[y + j + 16] = x1 * d + m;
      }
    });
}

const q8_0: Dequantizer = (s, out) =>
  blocks("Q8_0", s, out, (at, y) => {
    const d = half(s, at);
    for (let j = 0; j < 32; j++) out[y + j] = ((s[at + 2 + j]! << 24) >> 24) * d;
  });

/** The 6-bit scale and min of sub-block j of a Q4_K/Q5_K super-block (get_scale_min_k4). */
function scaleMin(s: Uint8Array, scales: number, j: number): [number, number] {
  if (j < 4) return [s[scales + j]! & 63, s[scales + j + 4]! & 63];
  return [
    (s[scales + j + 4]! & 0x0f) | ((s[scales + j - 4]! >> 6) << 4),
    (s[scales + j + 4]! >> 4) | ((s[scales + j]! >> 6) << 4),
  ];
}

/** Q4_K and Q5_K: 256 values in 8 sub-blocks of 32, each with its own scale and min. */
function k45(type: "Q4_K" | "Q5_K"): Dequantizer {
  const five = type === "Q5_K";
  return (s, out) =>
    blocks(type, s, out, (at, y) => {
      const d = half(s, at);
      const dmin = half(s, at + 2);
      const scales = at + 4;
      const qh = at + 16;
      let ql = five ? qh + 32 : at + 16;
      let u1 = 1;
      let u2 = 2;
      for (let is = 0; is < 8; is += 2) {
        const [sc1, m1] = scaleMin(s, scales, is);
        const [sc2, m2] = scaleMin(s, scales, is + 1);
        const d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2;
        for (let l = 0; l < 32; l++) {
          const q = s[ql + l]!;
          const h = five ? s[qh + l]! : 0;
          out[y + l] = d1 * ((q & 0x0f) + (h & u1 ? 16 : 0)) - min1;
          out[y + 32 + l] = d2 * ((q >> 4) + (h & u2 ? 16 : 0)) - min2;
        }
        y += 64;
        ql += 32;
        u1 <<= 2;
        u2 <<= 2;
      }
    });
}

const q6_k: Dequantizer = (s, out) =>
  blocks("Q6_K", s, out, (at, y) => {
    let ql = at;
    let qh = at + 128;
    let sc = at + 192;
    const d = half(s, at + 208);
    const scale = (i: number): number => (s[sc + i]! << 24) >> 24;
    for (let n = 0; n < 256; n += 128) {
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = s[qh + l]!;
        const q1 = ((s[ql + l]! & 0x0f) | (((h >> 0) & 3) << 4)) - 32;
        const q2 = ((s[ql + l + 32]! & 0x0f) | (((h >> 2) & 3) << 4)) - 32;
        const q3 = ((s[ql + l]! >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const q4 = ((s[ql + l + 32]! >> 4) | (((h >> 6) & 3) << 4)) - 32;
        out[y + l] = d * scale(is) * q1;
        out[y + l + 32] = d * scale(is + 2) * q2;
        out[y + l + 64] = d * scale(is + 4) * q3;
        out[y + l + 96] = d * scale(is + 6) * q4;
      }
      y += 128;
      ql += 64;
      qh += 32;
      sc += 8;
    }
  });

const DEQUANTIZERS: Partial<Record<GgmlTypeName, Dequantizer>> = {
  Q4_0: q4_0,
  Q4_1: q4_1,
  Q5_0: q5("Q5_0"),
  Q5_1: q5("Q5_1"),
  Q8_0: q8_0,
  Q4_K: k45("Q4_K"),
  Q5_K: k45("Q5_K"),
  Q6_K: q6_k,
};

/** `elements` values of a quantised type (whole blocks) as float32. */
export function dequantize(type: GgmlTypeName, src: Uint8Array, elements: number): Float32Array {
  const fn = DEQUANTIZERS[type];
  if (!fn) throw new Error(`dequantize: ${type} is not a block-quantised type`);
  const out = new Float32Array(elements);
  fn(src, out);
  return out;
}
