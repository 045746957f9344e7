// Inference on GGUF models through llama.cpp: completions (engine, service, post-processing,
// cache) and frozen-model scoring. The completion server (src/worker) and the CLI build on it.
export { CompletionCache, type CacheHit } from "./completion-cache";
export { CompletionService, type CompletionServiceOptions, type EngineLoader } from "./completion-service";
export { AbortedError, type CompletionEngine, type GenerateRequest, type GenerateResult } from "./completion-engine";
export { buildFimPrompt, type FimBudget, type FimTokens } from "./fim-prompt";
export { likelyHasGpu } from "./gpu-probe";
export { LlamaEngine, type LlamaEngineOptions } from "./llama-engine";
export { LlamaScorer, type LlamaScorerOptions } from "./llama-scorer";
export { chooseMode, placeInText, type FilePlace } from "../core/completion/place-in-file";
export * from "../core/completion";
export { choose, type CompletionReranker } from "../core/completion/reranker";
export { defaultThreads } from "./threads";
