// GGUF (llama.cpp's model file): writer, reader, and the export of our Qwen2 checkpoints.
export * from "./types";
export { encodeGguf, layoutGguf, writeGgufFile, type GgufTensorSource, type GgufWriteType, type GgufLayout } from "./writer";
export { metaNumber, metaString, parseGguf, readGguf, readGgufTensor, type GgufFile } from "./reader";
export { hfNameOfGguf, qwen2GgufName, requiredQwen2Tensors } from "./tensor-names";
export { parseExportConfig, archMetadata, type GgufExportConfig } from "./arch-metadata";
export { parseTokenizerJson, tokenizerMetadata, type HfTokenizerJson, type HfAddedToken } from "./tokenizer-metadata";
export { exportGguf, writeModelGguf, type ExportDtype, type ExportOptions, type ExportResult, type GgufModelInputs, type HfTensorSource } from "./export-model";
export { mergedAdapterToGguf } from "./merged-adapter";
export { adapterFolderToGguf, writeGgufLoraAdapter, type GgufLoraOptions, type LoraFactor } from "./lora-adapter";
export { ggufModelConfig, readGgufModel, type GgufModel, type ModelTensor } from "./read-model";
export { GGUF_PRE_PATTERNS, ggufPreName, LLAMA3_PATTERN, tokenizerFromGguf } from "./read-tokenizer";
