// Frozen-model passes on a GGUF through llama.cpp (DESIGN.md: DPO's reference log-probs, the
// teacher's soft targets, evaluation): the log-probability of every vocabulary entry after
// each position of a token sequence. By default exact: f32 KV cache and flash attention off,
// with which llama.cpp matched our tfjs model to about 2e-5 (test/integration/serve).
import type { ControlledEvaluateInputItem, Llama, LlamaContext, LlamaModel, Token } from "node-llama-cpp";
import { loadLlama } from "./llama-runtime";
import { defaultThreads } from "./threads";

export interface LlamaScorerOptions {
  modelPath: string;
  threads?: number;
  /** Longest sequence to score; default the model's training context. */
  contextSize?: number;
  /** f32 KV cache, no flash attention (default true); false: llama.cpp's faster defaults (about 1e-3). */
  exact?: boolean;
}

export class LlamaScorer {
  private constructor(
    private readonly llama: Llama,
    readonly model: LlamaModel,
    private readonly context: LlamaContext,
  ) {}

  static async load(options: LlamaScorerOptions): Promise<LlamaScorer> {
    const llama = await loadLlama({ gpu: false });
    try {
      const model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: 0 });
      const exact = options.exact ?? true;
      const contextSize = options.contextSize ?? model.trainContextSize;
      const context = await model.createContext({
        contextSize,
        batchSize: contextSize,
        threads: options.threads ?? defaultThreads(),
        sequences: 1,
        ...(exact ? { flashAttention: false, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32" } : {}),
      });
      return new LlamaScorer(llama, model, context);
    } catch (err) {
      await llama.dispose();
      throw err;
    }
  }

  /** Token ids as llama.cpp's tokenizer gives them (the same as src/core/tokenizer's, tested). */
  tokenize(text: string): number[] {
    return [...this.model.tokenize(text, false)] as number[];
  }

  /** Row i: log p(next token = v | tokens[0..i]) for every v. */
  async logProbs(tokens: readonly number[]): Promise<Float64Array[]> {
    if (tokens.length > this.context.contextSize) {
      throw new Error(`${tokens.length} tokens do not fit the scorer's context of ${this.context.contextSize}`);
    }
    const sequence = this.context.getSequence();
    try {
      const input: ControlledEvaluateInputItem[] = tokens.map((t) => [t as Token, { generateNext: { probabilities: true } }]);
      const results = await sequence.controlledEvaluate(input);
      return results.map((r, i) => {
        const probs = r?.next.probabilities;
        if (!probs) throw new Error(`llama.cpp returned no probabilities at position ${i}`);
        // With greedy sampling (no truncation) llama.cpp returns every vocabulary entry.
        const row = new Float64Array(probs.size).fill(-Infinity);
        for (const [token, p] of probs) row[token as number] = Math.log(p);
        return row;
      });
    } finally {
      sequence.dispose();
    }
  }

  /** log p(tokens[i] | tokens[0..i-1]) for i = 1..n-1: the sum over a completion is its log-likelihood. */
  async targetLogProbs(tokens: readonly number[]): Promise<Float64Array> {
    const rows = await this.logProbs(tokens.slice(0, -1));
    return Float64Array.from(rows, (row, i) => row[tokens[i + 1]!]!);
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}
