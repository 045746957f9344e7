// ggml's element types: block layouts, dequantisation of what bases ship in, and Q8_0 writing.
export { GGML_TYPE, GGML_BLOCK, ggmlTypeName, ggmlByteLength, blockMisfit, type GgmlTypeName } from "./block-types";
export { dequantize } from "./dequantize";
export { quantizeQ8_0 } from "./quantize-q8";
