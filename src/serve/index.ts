// Inference on GGUF models through llama.cpp: completions (engine, service, cache; the
// completion context and post-processing are core/completion's) and frozen-model scoring. The completion server (src/worker) and the CLI build on it.
export { CompletionCache, type CacheHit } from "./completion-cache";
export { CompletionService, type CompletionServiceOptions, type EngineLoader } from "./completion-service";
export { AbortedError, type CompletionEngine, type GenerateRequest, type GenerateResult } from "./completion-engine";
export { likelyHasGpu } from "./gpu-probe";
export { LlamaEngine, type LlamaEngineOptions } from "./llama-engine";
export { LlamaScorer, type LlamaScorerOptions } from "./llama-scorer";
export { defaultThreads } from "./threads";
