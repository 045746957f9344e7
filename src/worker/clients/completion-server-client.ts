// Forks the completion server (llama.cpp on the active GGUF) and matches its replies to
// requests by id, so native inference can never take the extension host down. A crash
// answers the requests in flight with an error (never with text), and the next request
// starts a fresh server after a pause that grows with each crash; after too many crashes in
// a minute (core/process/restart-budget) the client stays stopped and says why.
import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { PROTOCOL_VERSION, parseServerReply, type CompletionRequest, type ServerCommand, type ServerReply, type ServingFilter } from "../../core/protocol";
import { RestartBudget, type RestartBudgetOptions } from "../../core/process/restart-budget";

export type CompletionResult =
  | { kind: "completion"; text: string; latencyMs: number; cached: boolean; /** The server's filter held the suggestion back (text ""). */ heldBack?: boolean }
  | { kind: "cancelled" }
  | { kind: "error"; message: string; hint: string };

export interface CompletionServerOptions {
  serverScript: string;
  modelPath: string;
  threads?: number;
  /** A GGUF LoRA adapter over the model (a LoRA run's). */
  lora?: string;
  /** The serving filter to load with the model (a reward model folder with its filter.json). */
  filter?: ServingFilter;
  /** How long a model may take to load before the server is given up on. */
  loadTimeoutMs?: number;
  /** Restarts after crashes: how many a minute, and the pauses before them. */
  restarts?: RestartBudgetOptions;
  onLog?(line: string): void;
  /** The server crashed too often and is no longer restarted: the reason, for the status bar. */
  onStopped?(reason: string): void;
}

type Pending = { resolve(result: CompletionResult): void };

export class CompletionServerClient {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<string, Pending>();
  private disposed = false;
  private readonly budget: RestartBudget;
  /** Set when a crash allows a restart: the next start waits until then. */
  private restartAt = 0;
  /** Set when the budget is spent: every request is answered with it. */
  private stoppedReason: string | undefined;
  device = "";

  constructor(private readonly options: CompletionServerOptions) {
    this.budget = new RestartBudget(options.restarts);
  }

  /** Why the server is no longer restarted, if it is not. */
  get stopped(): string | undefined {
    return this.stoppedReason;
  }

  /** The server's process id while one runs (for the log, and for fault tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get modelPath(): string {
    return this.options.modelPath;
  }

  /** Starts the server and loads the model (once); later calls wait for the same load. */
  start(): Promise<void> {
    if (this.disposed) return Promise.reject(new Error("the completion server was stopped"));
    if (this.stoppedReason) return Promise.reject(new Error(this.stoppedReason));
    const wait = this.restartAt - Date.now();
    this.ready ??= wait > 0 ? new Promise<void>((r) => setTimeout(r, wait)).then(() => this.spawn()) : this.spawn();
    return this.ready;
  }

  /** A fresh start after the user fixed what made it crash: the crash count is forgotten. */
  resetCrashes(): void {
    this.budget.reset();
    this.stoppedReason = undefined;
    this.restartAt = 0;
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = fork(this.options.serverScript, [], { stdio: ["ignore", "pipe", "pipe", "ipc"], serialization: "json" });
      this.child = child;
      const log = (chunk: Buffer) => {
        for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) this.options.onLog?.(line);
      };
      child.stdout?.on("data", log);
      child.stderr?.on("data", log);
      const timer = setTimeout(() => {
        reject(new Error(`the completion server did not load ${this.options.modelPath} within ${this.options.loadTimeoutMs ?? 60_000} ms`));
        child.kill("SIGKILL");
      }, this.options.loadTimeoutMs ?? 60_000);
      let loaded = false;
      child.on("message", (raw: unknown) => {
        let reply: ServerReply;
        try {
          reply = parseServerReply(raw);
        } catch (err) {
          this.options.onLog?.(`ignored a malformed reply from the completion server: ${(err as Error).message}`);
          return;
        }
        if (reply.type === "ready") {
          loaded = true;
          clearTimeout(timer);
          this.device = reply.device;
          resolve();
          return;
        }
        if (reply.type === "error" && !reply.id && !loaded) {
          clearTimeout(timer);
          reject(new Error(`${reply.message} ${reply.hint}`));
          return;
        }
        this.settle(reply);
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        this.child = undefined;
        this.ready = undefined; // the next request starts a fresh server, if the budget allows
        const how = signal ?? `exit code ${code}`;
        let hint = "It restarts on the next completion; see RepoTune: Show log.";
        if (!this.disposed) {
          const verdict = this.budget.crashed();
          if (verdict.restart) this.restartAt = Date.now() + verdict.afterMs;
          else {
            this.stoppedReason = `the completion server crashed ${verdict.crashes} times within ${Math.round(verdict.windowMs / 1000)} s (last: ${how}) and is not restarted; see RepoTune: Show log, then toggle completions off and on to try again`;
            hint = "It is no longer restarted: see RepoTune: Show log.";
            this.options.onStopped?.(this.stoppedReason);
          }
        }
        const message = `the completion server stopped (${how})`;
        if (!loaded) reject(new Error(message));
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.resolve({ kind: "error", message, hint });
        }
      });
      this.send({ v: PROTOCOL_VERSION, type: "load", modelPath: this.options.modelPath, threads: this.options.threads, ...(this.options.lora ? { lora: this.options.lora } : {}), ...(this.options.filter ? { filter: this.options.filter } : {}) });
    });
  }

  private settle(reply: ServerReply): void {
    if (!("id" in reply) || !reply.id) {
      if (reply.type === "error") this.options.onLog?.(`completion server: ${reply.message}`);
      return;
    }
    const p = this.pending.get(reply.id);
    if (!p) return; // a reply to a request already given up on
    this.pending.delete(reply.id);
    if (reply.type === "completion") p.resolve({ kind: "completion", text: reply.text, latencyMs: reply.latencyMs, cached: reply.cached, ...(reply.heldBack ? { heldBack: true } : {}) });
    else if (reply.type === "cancelled") p.resolve({ kind: "cancelled" });
    else if (reply.type === "error") p.resolve({ kind: "error", message: reply.message, hint: reply.hint });
  }

  async complete(request: Omit<CompletionRequest, "v" | "type" | "id">, signal?: AbortSignal): Promise<CompletionResult> {
    if (this.stoppedReason) return { kind: "error", message: this.stoppedReason, hint: "Toggle completions off and on to start it again." };
    try {
      await this.start();
    } catch (err) {
      return { kind: "error", message: (err as Error).message, hint: "It restarts on the next completion; see RepoTune: Show log." };
    }
    const id = randomUUID();
    return new Promise<CompletionResult>((resolve) => {
      this.pending.set(id, { resolve });
      const onAbort = () => {
        this.send({ v: PROTOCOL_VERSION, type: "cancel", id });
        // Answer at once: the caller has moved on, the server's reply is dropped when it comes.
        this.pending.delete(id);
        resolve({ kind: "cancelled" });
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.send({ v: PROTOCOL_VERSION, type: "complete", id, ...request });
    });
  }

  private send(command: ServerCommand): void {
    if (this.child?.connected) this.child.send(command);
  }

  dispose(): void {
    this.disposed = true;
    this.child?.kill();
    for (const p of this.pending.values()) p.resolve({ kind: "cancelled" });
    this.pending.clear();
  }
}
