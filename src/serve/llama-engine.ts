// The completion engine on llama.cpp (node-llama-cpp): FIM generation (greedy, or sampled with a
// seed for best-of-n's other candidates) on one context
// sequence that is reused across requests, so the part of a new prompt that matches the
// previous one (the file above the cursor, typically) stays in the KV cache and is not
// evaluated again. Each request erases only the tokens after the first difference.
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { FILE_SEP, REPO_NAME, SPECIAL_TOKENS } from "../core/tokenizer/special-tokens";
import { encodeRepoHeader, type RepoTokens } from "../core/completion/repo-prompt";
import { AbortedError, type CompletionEngine, type GenerateRequest, type GenerateResult } from "./completion-engine";
import { buildFimPrompt, type FimTokens } from "../core/completion/fim-prompt";
import { likelyHasGpu } from "./gpu-probe";
import { loadLlama, loraContextOption, type LoraFile } from "./llama-runtime";
import { defaultThreads } from "./threads";

export interface LlamaEngineOptions {
  modelPath: string;
  /** CPU threads for evaluation; default: see threads.ts. */
  threads?: number;
  /** Use a GPU when node-llama-cpp finds one (CUDA, Vulkan, Metal). Default: when one seems present. */
  gpu?: boolean;
  /** KV cache size in tokens; default the model's training context, at most 4096. */
  contextSize?: number;
  /** Refuse a model trained on fewer positions than this (llama.cpp cannot size its context exactly). */
  minContext?: number;
  /** A GGUF LoRA adapter applied over the base (node-llama-cpp caches adapters by path: a new adapter needs a new file name). */
  lora?: LoraFile;
}

const MAX_DEFAULT_CONTEXT = 4096;
/** Code averages 3-4 characters a token; cutting text at 8 per token never starves the budget. */
const MAX_CHARS_PER_TOKEN = 8;

export class LlamaEngine implements CompletionEngine {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly modelPath: string,
    readonly device: string,
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly sequence: LlamaContextSequence,
    private readonly fim: FimTokens,
    private readonly stopIds: ReadonlySet<number>,
    /** Null when the vocabulary has no <|repo_name|>/<|file_sep|>: plain FIM prompts then. */
    private readonly repoTokens: RepoTokens | null,
  ) {}

  static async load(options: LlamaEngineOptions): Promise<LlamaEngine> {
    const threads = options.threads ?? defaultThreads();
    const llama = await loadLlama({ gpu: options.gpu ?? likelyHasGpu() });
    try {
      const model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: llama.gpu ? "auto" : 0 });
      const { prefix, suffix, middle } = model.tokens.infill;
      if (prefix === null || suffix === null || middle === null) {
        await model.dispose();
        throw new Error(`${options.modelPath} has no fill-in-the-middle tokens (tokenizer.ggml.fim_pre/suf/mid_token_id); export it with repotune export`);
      }
      if (options.minContext !== undefined && model.trainContextSize < options.minContext) {
        await model.dispose();
        throw new Error(`${options.modelPath} was trained on ${model.trainContextSize} positions, under the ${options.minContext} llama.cpp can allocate exactly`);
      }
      const contextSize = options.contextSize ?? Math.min(model.trainContextSize, MAX_DEFAULT_CONTEXT);
      const context = await model.createContext({ contextSize, batchSize: Math.min(contextSize, 512), threads, sequences: 1, ...loraContextOption(options.lora) });
      const stopIds = new Set<number>();
      const single = (special: string): number | undefined => {
        const ids = model.tokenize(special, true);
        return ids.length === 1 ? (ids[0] as number) : undefined;
      };
      for (const special of SPECIAL_TOKENS) {
        const id = single(special);
        if (id !== undefined) stopIds.add(id);
      }
      const repoName = single(REPO_NAME), fileSep = single(FILE_SEP);
      const repoTokens = repoName !== undefined && fileSep !== undefined ? { repoName, fileSep } : null;
      const gpuNames = llama.gpu ? await llama.getGpuDeviceNames().catch(() => []) : [];
      const device = llama.gpu ? `${llama.gpu}${gpuNames.length ? `: ${gpuNames.join(", ")}` : ""}` : `cpu (${threads} thread${threads === 1 ? "" : "s"})`;
      return new LlamaEngine(options.modelPath, device, llama, model, context, context.getSequence(), { prefix, suffix, middle }, stopIds, repoTokens);
    } catch (err) {
      await llama.dispose();
      throw err;
    }
  }

  get contextSize(): number {
    return this.context.contextSize;
  }

  /** One generation at a time: the sequence and its KV cache are shared state. */
  generate(request: GenerateRequest): Promise<GenerateResult> {
    const run = this.queue.then(() => this.run(request));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(req: GenerateRequest): Promise<GenerateResult> {
    const started = performance.now();
    if (req.signal?.aborted) throw new AbortedError();
    const maxTokens = Math.max(1, Math.min(req.maxTokens, Math.floor(this.contextSize / 2)));
    const maxPromptTokens = this.contextSize - maxTokens - 1;
    const maxChars = maxPromptTokens * MAX_CHARS_PER_TOKEN;
    const prefixTokens = this.model.tokenize(req.prefix.slice(-maxChars), false) as number[];
    const suffixTokens = this.model.tokenize(req.suffix.slice(0, maxChars), false) as number[];
    const encode = (text: string) => this.model.tokenize(text, false) as number[];
    const header = req.repo && this.repoTokens ? encodeRepoHeader(encode, this.repoTokens, req.repo, { contextTokens: this.contextSize, promptTokens: maxPromptTokens, ...(req.budget?.extraTokens !== undefined ? { extraTokens: req.budget.extraTokens } : {}) }) : [];
    const prompt = buildFimPrompt(prefixTokens, suffixTokens, this.fim, { maxPromptTokens, suffixShare: 0.25, ...req.budget }, header) as Token[];

    // Keep the longest common prefix with what the sequence already evaluated; at least one
    // prompt token must be evaluated anew to get logits for the first generated token.
    const seq = this.sequence;
    const reused = Math.min(seq.compareContextTokens(prompt).firstDifferentIndex, prompt.length - 1);
    if (reused < seq.nextTokenIndex) await seq.eraseContextTokenRanges([{ start: reused, end: seq.nextTokenIndex }]);

    const generated: Token[] = [];
    let stop: GenerateResult["stop"] = "max-tokens";
    let firstTokenMs = 0;
    let text = "";
    // Breaking out of the loop returns the generator, which stops evaluation there.
    const sampling = req.sampling ? { temperature: req.sampling.temperature, topP: req.sampling.topP, seed: req.sampling.seed } : { temperature: 0 };
    for await (const token of seq.evaluate(prompt.slice(reused), sampling)) {
      if (generated.length === 0) firstTokenMs = performance.now() - started;
      if (this.stopIds.has(token) || this.model.isEogToken(token)) {
        stop = "eog";
        break;
      }
      generated.push(token);
      text = this.model.detokenize(generated);
      if (req.shouldStop?.(text)) {
        stop = "rule";
        break;
      }
      if (req.signal?.aborted) {
        stop = "aborted";
        break;
      }
      if (generated.length >= maxTokens) break;
    }
    if (stop === "aborted") throw new AbortedError();
    return {
      text,
      tokens: generated.length,
      promptTokens: prompt.length,
      reusedTokens: reused,
      stop,
      firstTokenMs,
      totalMs: performance.now() - started,
    };
  }

  async dispose(): Promise<void> {
    await this.queue;
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}
