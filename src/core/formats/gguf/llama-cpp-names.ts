// Names llama.cpp gives to codes stored in GGUF files, so a listing can say "Q4_K_M" and a
// refusal can say "IQ2_XS (ggml type 17)" instead of a bare number. Facts from llama.cpp's
// include/llama.h (enum llama_ftype), ggml/include/ggml.h (enum ggml_type) and
// src/llama-arch.cpp (LLM_ARCH_NAMES); a code missing here is shown by number.

/** general.file_type (LLAMA_FTYPE_MOSTLY_*): what the converter or quantizer was asked for. */
const FILE_TYPES: Readonly<Record<number, string>> = {
  0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
  10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
  16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S",
  22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M",
  28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
  38: "MXFP4_MOE", 39: "NVFP4", 40: "Q1_0", 41: "Q2_0",
};

/** LLAMA_FTYPE_GUESSED: a flag llama.cpp sets at load time; never meaningful in a file, masked off if present. */
const FTYPE_GUESSED = 1024;

export function fileTypeName(code: number): string | undefined {
  return FILE_TYPES[code & ~FTYPE_GUESSED];
}

/** ggml_type: the element type of one tensor (every one llama.cpp knows; quants/ reads a subset). */
const GGML_TYPES: Readonly<Record<number, string>> = {
  0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 9: "Q8_1",
  10: "Q2_K", 11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K", 16: "IQ2_XXS",
  17: "IQ2_XS", 18: "IQ3_XXS", 19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S",
  23: "IQ4_XS", 24: "I8", 25: "I16", 26: "I32", 27: "I64", 28: "F64", 29: "IQ1_M", 30: "BF16",
  34: "TQ1_0", 35: "TQ2_0", 39: "MXFP4", 40: "NVFP4", 41: "Q1_0", 42: "Q2_0",
};

export function ggmlTypeLabel(code: number): string {
  return GGML_TYPES[code] ?? `type ${code}`;
}

/**
 * general.architecture values llama.cpp loads as text models. "clip" (vision projectors) and
 * "wavtokenizer-dec" (audio) are left out: they are parts of models, not models one can prompt.
 * node-llama-cpp bundles a llama.cpp that may be a little older than this list.
 */
export const LLAMA_CPP_ARCHITECTURES: ReadonlySet<string> = new Set(
  (
    "llama llama4 deci falcon grok gpt2 gptj gptneox mpt baichuan starcoder refact bert modern-bert " +
    "nomic-bert nomic-bert-moe neo-bert jina-bert-v2 jina-bert-v3 eurobert bloom stablelm qwen qwen2 " +
    "qwen2moe qwen2vl qwen3 qwen3moe qwen3next qwen3vl qwen3vlmoe qwen35 qwen35moe phi2 phi3 phimoe " +
    "plamo plamo2 plamo3 codeshell orion internlm2 minicpm minicpm3 gemma gemma2 gemma3 gemma3n gemma4 " +
    "gemma-embedding starcoder2 mamba mamba2 jamba falcon-h1 xverse command-r cohere2 dbrx olmo olmo2 " +
    "olmoe openelm arctic deepseek deepseek2 chatglm glm4 glm4moe bitnet t5 t5encoder jais jais2 " +
    "nemotron nemotron_h nemotron_h_moe exaone exaone4 rwkv6 rwkv6qwen2 rwkv7 arwkv7 granite granitemoe " +
    "granitehybrid chameleon plm bailingmoe bailingmoe2 dots1 arcee ernie4_5 ernie4_5-moe hunyuan-moe " +
    "hunyuan-dense smollm3 gpt-oss lfm2 lfm2moe dream smallthinker llada llada-moe seed_oss grovemoe " +
    "apertus minimax-m2 cogvlm rnd1 pangu-embedded mistral3"
  ).split(" "),
);
