// Frozen-model passes on a GGUF through llama.cpp (DESIGN.md: DPO's reference log-probs, the
// teacher's soft targets, evaluation): the log-probability of every vocabulary entry after
// each position of a token sequence. By default exact: f32 KV cache and flash attention off,
// with which llama.cpp matched our tfjs model to about 2e-5 (test/integration/serve).
import type { ControlledEvaluateInputItem, Llama, LlamaContext, LlamaModel, Token } from "node-llama-cpp";
import { loadLlama, loraContextOption, type LoraFile } from "./llama-runtime";
import { defaultThreads } from "./threads";

export interface LlamaScorerOptions {
  modelPath: string;
  threads?: number;
  /** Longest sequence to score; default the model's training context. */
  contextSize?: number;
  /** f32 KV cache, no flash attention (default true); false: llama.cpp's faster defaults (about 1e-3). */
  exact?: boolean;
  /** A GGUF LoRA adapter over the model (the DPO reference: the base with the SFT adapter). */
  lora?: LoraFile;
}

const SCORER_BATCH = 512;
/** Positions whose distributions are asked for in one evaluation (bounds the Maps alive at once). */
const POSITIONS_PER_EVALUATION = 16;

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
        // llama.cpp keeps a logits buffer of vocabulary x batch floats: a batch as large as a
        // 4,096 context of Qwen2.5's 151,936 ids is 2.5 GB. Positions are scored a few at a
        // time (forEachLogProbs), so a modest batch costs nothing.
        batchSize: Math.min(contextSize, SCORER_BATCH),
        threads: options.threads ?? defaultThreads(),
        sequences: 1,
        ...loraContextOption(options.lora),
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

  /**
   * Calls `onRow(i, row)` with row i: log p(next token = v | tokens[0..i]) for every v, for i
   * from `from` on. llama.cpp hands each position's distribution over as a JS Map of the whole
   * vocabulary (151,936 entries for Qwen2.5: megabytes each), so positions are evaluated a few
   * at a time and each Map is dropped once read; `row` is reused between calls: copy what you keep.
   */
  async forEachLogProbs(tokens: readonly number[], onRow: (i: number, row: Float64Array) => void, from = 0): Promise<void> {
    if (tokens.length > this.context.contextSize) {
      throw new Error(`${tokens.length} tokens do not fit the scorer's context of ${this.context.contextSize}`);
    }
    const sequence = this.context.getSequence();
    try {
      let row: Float64Array | undefined;
      // The positions nobody scores go in one evaluation (llama.cpp batches them itself).
      if (from > 0) await sequence.controlledEvaluate(tokens.slice(0, from).map((t) => t as Token));
      for (let start = Math.min(from, tokens.length); start < tokens.length; start += POSITIONS_PER_EVALUATION) {
        const chunk = tokens.slice(start, start + POSITIONS_PER_EVALUATION);
        const input: ControlledEvaluateInputItem[] = chunk.map((t) => [t as Token, { generateNext: { probabilities: true } }]);
        const results = await sequence.controlledEvaluate(input);
        for (let j = 0; j < chunk.length; j++) {
          const i = start + j;
          const probs = results[j]?.next.probabilities;
          if (!probs) throw new Error(`llama.cpp returned no probabilities at position ${i}`);
          // With greedy sampling (no truncation) llama.cpp returns every vocabulary entry.
          row ??= new Float64Array(probs.size);
          row.fill(-Infinity);
          for (const [token, p] of probs) row[token as number] = Math.log(p);
          onRow(i, row);
        }
      }
    } finally {
      sequence.dispose();
    }
  }

  /** Row i: log p(next token = v | tokens[0..i]) for every v (a vocabulary's worth of memory per position). */
  async logProbs(tokens: readonly number[]): Promise<Float64Array[]> {
    const rows: Float64Array[] = [];
    await this.forEachLogProbs(tokens, (_, row) => rows.push(Float64Array.from(row)));
    return rows;
  }

  /**
   * log p(tokens[i] | tokens[0..i-1]) for i = 1..n-1: the sum over a completion is its
   * log-likelihood. Entries before `from` (prompt positions nobody scores) are left 0 and cost
   * only their evaluation.
   */
  async targetLogProbs(tokens: readonly number[], from = 1): Promise<Float64Array> {
    const out = new Float64Array(Math.max(0, tokens.length - 1));
    await this.forEachLogProbs(tokens.slice(0, -1), (i, row) => (out[i] = row[tokens[i + 1]!]!), Math.max(0, from - 1));
    return out;
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}
