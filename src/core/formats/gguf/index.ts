// GGUF (llama.cpp's model file): writer, reader, and the export of our Qwen2 checkpoints.
export * from "./types";
export { encodeGguf, layoutGguf, writeGgufFile, type GgufTensorSource, type GgufWriteType, type GgufLayout } from "./writer";
export { metaNumber, metaString, parseGguf, readGguf, readGgufTensor, type GgufFile } from "./reader";
export { qwen2GgufName, requiredQwen2Tensors } from "./qwen2-names";
export { parseQwen2Config, qwen2ArchMetadata, type Qwen2ExportConfig } from "./qwen2-metadata";
export { parseTokenizerJson, tokenizerMetadata, type HfTokenizerJson, type HfAddedToken } from "./tokenizer-metadata";
export { exportQwen2Gguf, type ExportDtype, type ExportOptions, type ExportResult } from "./export-qwen2";
