// ggml's element types as GGUF files store them: the code in the tensor info, and how many
// values one block holds in how many bytes (ggml/src/ggml-common.h). Values are quantised in
// blocks along a row (the innermost dimension), so a row's length must be a whole number of
// blocks. The types listed are those base models ship in: llama.vscode's Q8_0, Ollama's and
// LM Studio's Q4_K_M (Q4_K and Q6_K tensors, some Q5_K), and the older Q4/Q5 formats.
export const GGML_TYPE = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  BF16: 30,
} as const;

export type GgmlTypeName = keyof typeof GGML_TYPE;

interface BlockLayout {
  /** Values per block. */
  elements: number;
  /** Bytes per block. */
  bytes: number;
}

const QK_K = 256;

export const GGML_BLOCK: Record<GgmlTypeName, BlockLayout> = {
  F32: { elements: 1, bytes: 4 },
  F16: { elements: 1, bytes: 2 },
  BF16: { elements: 1, bytes: 2 },
  Q4_0: { elements: 32, bytes: 2 + 16 },
  Q4_1: { elements: 32, bytes: 2 + 2 + 16 },
  Q5_0: { elements: 32, bytes: 2 + 4 + 16 },
  Q5_1: { elements: 32, bytes: 2 + 2 + 4 + 16 },
  Q8_0: { elements: 32, bytes: 2 + 32 },
  Q4_K: { elements: QK_K, bytes: 2 + 2 + 12 + QK_K / 2 },
  Q5_K: { elements: QK_K, bytes: 2 + 2 + 12 + QK_K / 8 + QK_K / 2 },
  Q6_K: { elements: QK_K, bytes: QK_K / 2 + QK_K / 4 + QK_K / 16 + 2 },
};

export function ggmlTypeName(code: number): GgmlTypeName | undefined {
  for (const [name, c] of Object.entries(GGML_TYPE)) if (c === code) return name as GgmlTypeName;
  return undefined;
}

/** Bytes of `elements` values of `type`; the caller has checked rows are whole blocks. */
export function ggmlByteLength(type: GgmlTypeName, elements: number): number {
  const b = GGML_BLOCK[type];
  return (elements / b.elements) * b.bytes;
}

/** Why a tensor whose rows hold `rowLength` values cannot be stored as `type`, or null. */
export function blockMisfit(type: GgmlTypeName, rowLength: number): string | null {
  const n = GGML_BLOCK[type].elements;
  return rowLength % n === 0 ? null : `its rows hold ${rowLength} values, not a multiple of ${type}'s block of ${n}`;
}
