// The completion server's logic, apart from its IPC: validates each command, answers from
// the cache when it can (exact or type-through), otherwise queues a generation on the one
// engine, post-processes the result, caches it, and prefetches the suggestion that follows
// accepting it. Cancellation by id; a user request pre-empts a prefetch (or adopts it when
// it asks for the very same place). Nothing a client sends can crash it: every failure is
// an 'error' reply.
import { parseServerCommand, PROTOCOL_VERSION, type CompletionRequest, type ServerCommand, type ServerReply } from "../core/protocol";
import { CompletionCache } from "./completion-cache";
import type { CompletionEngine, GenerateResult } from "./completion-engine";
import { complete } from "../core/completion/complete";
import type { CompletionBudget } from "../core/completion/context";
import type { RepoContext } from "../core/completion/repo-prompt";
import type { CompletionMode } from "../core/completion/place";
import type { PostprocessStep } from "../core/completion/postprocess";
import { choose, type CompletionReranker } from "../core/completion/reranker";
import { completeBestOf } from "../core/completion/best-of-n";

type ReplyBody = ServerReply extends infer R ? (R extends unknown ? Omit<R, "v"> : never) : never;

export type EngineLoader = (modelPath: string, threads: number | undefined, lora?: string) => Promise<CompletionEngine>;

/** The load command's filter, as a reranker with a threshold (null: show everything). */
export type FilterLoader = (filter: NonNullable<Extract<ServerCommand, { type: "load" }>["filter"]>) => Promise<(CompletionReranker & { dispose?(): void }) | null>;

export interface CompletionServiceOptions {
  cache?: CompletionCache;
  /** Compute the suggestion that follows accepting each one, while idle. Default true. */
  prefetch?: boolean;
  steps?: readonly PostprocessStep[];
  reranker?: CompletionReranker;
  /** Builds the serving filter a load command asks for (the worker's: the reward model in-process). */
  loadFilter?: FilterLoader;
  /** Largest maxTokens honoured (a client asking for more gets this many). */
  maxTokensLimit?: number;
  /** Observes every finished generation (latency figures for logs and benchmarks). */
  onGenerated?: (info: { id: string | null; prefetch: boolean; result: GenerateResult; text: string; changedBy: string[] }) => void;
  now?: () => number;
}

interface Job {
  /** null for a prefetch nobody has asked for yet. */
  id: string | null;
  prefix: string;
  suffix: string;
  mode: CompletionMode;
  languageId: string;
  maxTokens: number;
  budget: CompletionBudget | undefined;
  repo: RepoContext | undefined;
  receivedAt: number;
  controller: AbortController;
}

// The budget is part of the key: the same place with another budget is another prompt.
const keyOf = (j: { prefix: string; suffix: string; mode: CompletionMode; budget?: CompletionBudget | undefined }): string =>
  `${j.mode}\u0000${j.budget ? `${j.budget.prefixTokens}/${j.budget.suffixTokens}` : ""}\u0000${j.suffix}\u0000${j.prefix}`;

export class CompletionService {
  private engine: CompletionEngine | undefined;
  private loading: Promise<void> = Promise.resolve();
  private isLoading = false;
  private readonly queue: Job[] = [];
  private running: Job | undefined;
  private runningDone: Promise<void> = Promise.resolve();
  private readonly cache: CompletionCache;
  private readonly now: () => number;
  /** The load command's filter; else options.reranker. */
  private filter: (CompletionReranker & { dispose?(): void }) | null = null;
  /** Completions the filter judged, and how many it held back (since the last load). */
  readonly filterStats = { judged: 0, heldBack: 0 };
  /** Candidates per place the reranker picks among (the load command's filter.bestOf). */
  private bestOf = 1;

  constructor(
    private readonly send: (reply: ServerReply) => void,
    private readonly loadEngine: EngineLoader,
    private readonly options: CompletionServiceOptions = {},
  ) {
    this.cache = options.cache ?? new CompletionCache();
    this.now = options.now ?? (() => performance.now());
  }

  get modelPath(): string | undefined {
    return this.engine?.modelPath;
  }

  /** Takes one raw message (from IPC or a test). Never throws. */
  handle(raw: unknown): void {
    let command;
    try {
      command = parseServerCommand(raw);
    } catch (err) {
      const id = typeof (raw as { id?: unknown } | null)?.id === "string" ? (raw as { id: string }).id : undefined;
      this.reply({ type: "error", id, message: (err as Error).message, hint: "The extension and the completion server disagree on the protocol; restart VS Code." });
      return;
    }
    switch (command.type) {
      case "load":
        if (command.threads !== undefined && !(Number.isInteger(command.threads) && command.threads >= 1 && command.threads <= 256)) {
          this.reply({ type: "error", message: `threads must be a whole number from 1 to 256, got ${command.threads}`, hint: "Leave threads out to let RepoTune choose." });
          return;
        }
        void this.load(command.modelPath, command.threads, command.filter, command.lora);
        return;
      case "cancel":
        this.cancel(command.id);
        return;
      case "complete":
        this.complete(command);
        return;
    }
  }

  /** Resolves when nothing is queued or running (tests and benchmarks wait on it). */
  async idle(): Promise<void> {
    for (;;) {
      await this.loading;
      await this.runningDone;
      if (!this.running && this.queue.length === 0 && !this.isLoading) return;
      await new Promise((r) => setImmediate(r));
    }
  }

  async dispose(): Promise<void> {
    this.dropAll();
    await this.runningDone;
    await this.engine?.dispose();
    this.engine = undefined;
    this.filter?.dispose?.();
    this.filter = null;
  }

  private reply(body: ReplyBody): void {
    try {
      this.send({ v: PROTOCOL_VERSION, ...body } as ServerReply);
    } catch {
      // The channel is gone (the host exited); the server is about to be disconnected.
    }
  }

  private load(modelPath: string, threads: number | undefined, filter?: Parameters<FilterLoader>[0], lora?: string): Promise<void> {
    this.dropAll();
    this.isLoading = true;
    this.loading = this.loading.then(async () => {
      try {
        await this.runningDone;
        const old = this.engine;
        this.engine = undefined;
        await old?.dispose();
        this.cache.clear();
        this.filter?.dispose?.();
        this.filter = null;
        this.filterStats.judged = this.filterStats.heldBack = 0;
        this.bestOf = filter?.bestOf ?? 1;
        // A filter that cannot load leaves completions unfiltered, said in the error, not unserved.
        if (filter && this.options.loadFilter) {
          try {
            this.filter = await this.options.loadFilter(filter);
          } catch (err) {
            this.reply({ type: "error", message: `The completion filter could not load: ${(err as Error).message}`, hint: "Completions are shown unfiltered; fine-tune again to rebuild the reward model." });
          }
        }
        this.engine = await this.loadEngine(modelPath, threads, lora);
        this.reply({ type: "ready", modelPath, device: this.engine.device });
      } catch (err) {
        this.reply({
          type: "error",
          message: `Could not load ${modelPath}: ${(err as Error).message}`,
          hint: "Check that the file is a GGUF exported by RepoTune (repotune export --format gguf), or fine-tune again.",
        });
      } finally {
        this.isLoading = false;
        this.pump();
      }
    });
    return this.loading;
  }

  /** Cancels queued and running work (a new model is coming): each user request is told. */
  private dropAll(): void {
    for (const job of this.queue.splice(0)) if (job.id !== null) this.reply({ type: "cancelled", id: job.id });
    this.running?.controller.abort();
  }

  private cancel(id: string): void {
    const i = this.queue.findIndex((j) => j.id === id);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.reply({ type: "cancelled", id });
    } else if (this.running?.id === id) {
      this.running.controller.abort(); // 'cancelled' is sent when generation stops
    }
    // An unknown id has already been answered: nothing to do.
  }

  private complete(req: CompletionRequest): void {
    const receivedAt = this.now();
    if (!this.engine && !this.isLoading) {
      this.reply({ type: "error", id: req.id, message: "No model is loaded in the completion server.", hint: "Fine-tune on this repo first, or pick a model (load)." });
      return;
    }
    if (!Number.isInteger(req.maxTokens) || req.maxTokens < 1) {
      this.reply({ type: "error", id: req.id, message: `maxTokens must be a positive integer, got ${req.maxTokens}`, hint: "Check the repotune.completions.maxTokens setting." });
      return;
    }
    const hit = this.cache.get(req.prefix, req.suffix, req.mode);
    if (hit) {
      // A held-back place stays held back when asked again, and says so (the status bar counts it).
      this.reply({ type: "completion", id: req.id, text: hit.text, latencyMs: this.now() - receivedAt, cached: true, ...(hit.heldBack ? { heldBack: true } : {}) });
      if (hit.text) this.schedulePrefetch(req, hit.text);
      return;
    }
    const key = keyOf(req);
    // A prefetch of this very place: adopt it instead of starting over.
    const adopt = [this.running, ...this.queue].find((j) => j && j.id === null && keyOf(j) === key);
    if (adopt) {
      adopt.id = req.id;
      adopt.receivedAt = receivedAt;
      return;
    }
    // The user's request comes before any speculation.
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.id === null) this.queue.splice(i, 1);
    if (this.running?.id === null) this.running.controller.abort();
    const maxTokens = Math.min(req.maxTokens, this.options.maxTokensLimit ?? 512);
    this.queue.push({ ...this.jobFields(req), maxTokens, id: req.id, receivedAt, controller: new AbortController() });
    this.pump();
  }

  private jobFields(req: Pick<CompletionRequest, "prefix" | "suffix" | "mode" | "languageId" | "budget" | "repo">): Pick<Job, "prefix" | "suffix" | "mode" | "languageId" | "budget" | "repo"> {
    return { prefix: req.prefix, suffix: req.suffix, mode: req.mode, languageId: req.languageId, budget: req.budget, repo: req.repo };
  }

  private schedulePrefetch(req: Pick<CompletionRequest, "prefix" | "suffix" | "mode" | "languageId" | "maxTokens" | "budget" | "repo">, accepted: string): void {
    if (this.options.prefetch === false) return;
    const next = { ...this.jobFields(req), prefix: req.prefix + accepted };
    if (this.cache.get(next.prefix, next.suffix, next.mode)?.typed === 0) return;
    const key = keyOf(next);
    if ([this.running, ...this.queue].some((j) => j && keyOf(j) === key)) return;
    this.queue.push({ ...next, maxTokens: req.maxTokens, id: null, receivedAt: this.now(), controller: new AbortController() });
    this.pump();
  }

  private pump(): void {
    if (this.running || this.isLoading || !this.engine) return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
    this.runningDone = this.run(job, this.engine).finally(() => {
      this.running = undefined;
      this.pump();
    });
  }

  private async run(job: Job, engine: CompletionEngine): Promise<void> {
    const place = { prefix: job.prefix, suffix: job.suffix, mode: job.mode, ...(job.repo ? { repo: job.repo } : {}) };
    try {
      const options = { maxTokens: job.maxTokens, budget: job.budget, steps: this.options.steps, signal: job.controller.signal };
      const reranker = this.filter ?? this.options.reranker;
      let processed, text, candidates;
      if (reranker && this.bestOf > 1) {
        const best = await completeBestOf(engine, { ...place, languageId: job.languageId }, { ...options, n: this.bestOf, reranker });
        ({ greedy: processed, text } = best);
        candidates = best.candidates.length;
      } else {
        processed = await complete(engine, place, options);
        text = processed.text && reranker ? await choose(reranker, { ...place, languageId: job.languageId }, [processed.text]) : processed.text;
        candidates = processed.text ? 1 : 0;
      }
      const result = processed.result;
      if (job.controller.signal.aborted) throw new Error("aborted");
      // Held back: there was something to show, and the reranker kept all of it back.
      const heldBack = reranker !== undefined && candidates > 0 && text === "";
      if (reranker && candidates > 0) {
        this.filterStats.judged++;
        if (heldBack) this.filterStats.heldBack++;
      }
      this.cache.set(job.prefix, job.suffix, job.mode, text, heldBack);
      this.options.onGenerated?.({ id: job.id, prefetch: job.id === null, result, text, changedBy: processed.changedBy });
      if (job.id !== null) {
        this.reply({ type: "completion", id: job.id, text, latencyMs: this.now() - job.receivedAt, cached: false, ...(heldBack ? { heldBack } : {}) });
        if (text) this.schedulePrefetch(job, text);
      }
    } catch (err) {
      if (job.id === null) return; // a failed or pre-empted prefetch concerns no one
      if (job.controller.signal.aborted) this.reply({ type: "cancelled", id: job.id });
      else this.reply({ type: "error", id: job.id, message: `Completion failed: ${(err as Error).message}`, hint: "If this repeats, reload the model (RepoTune: Show log has details)." });
    }
  }
}
