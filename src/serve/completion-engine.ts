// What the completion service needs from a model: greedy fill-in-the-middle generation that
// can be stopped early (by a stop rule or a cancellation). The llama.cpp engine implements
// it; tests use a scripted one.

import type { GenerateRequest } from "../core/completion/complete";

export type { GenerateRequest };

export interface GenerateResult {
  text: string;
  /** Tokens generated. */
  tokens: number;
  promptTokens: number;
  /** Prompt tokens already in the KV cache from the previous request (not recomputed). */
  reusedTokens: number;
  /** Why generation ended. */
  stop: "rule" | "eog" | "max-tokens" | "aborted";
  /** Milliseconds to the first generated token, and in total. */
  firstTokenMs: number;
  totalMs: number;
}

export interface CompletionEngine {
  readonly modelPath: string;
  /** For the 'ready' reply and the status bar: "cpu (1 thread)", "cuda: NVIDIA ...". */
  readonly device: string;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  dispose(): Promise<void>;
}

export class AbortedError extends Error {
  constructor() {
    super("cancelled");
    this.name = "AbortError";
  }
}
