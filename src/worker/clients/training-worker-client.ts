// Forks the training worker and talks to it in the typed, versioned messages of
// protocol.ts. Used by the extension host and by the CLI alike, so both run training the
// same way: in a separate process whose crash or out-of-memory cannot take the caller down.
import { fork, type ChildProcess } from "node:child_process";
import { PROTOCOL_VERSION, makeWorkerEvent, parseWorkerEvent, type TrainingJob, type WorkerCommand, type WorkerEvent } from "../../core/protocol";
import { explainWorkerExit } from "./worker-exit";

export interface TrainingWorkerOptions {
  /** Path of the bundled worker (out/training-worker.js). */
  workerScript: string;
  /** Heap cap of the worker's JavaScript heap, in MB (the wasm heap is separate, 4 GiB at most). */
  maxHeapMb: number;
  onEvent(event: WorkerEvent): void;
  /** Lines the worker printed to stderr (for the log); the last ones explain a crash. */
  onStderr?(line: string): void;
  env?: NodeJS.ProcessEnv;
  /**
   * More Node options for the worker, after the heap cap, and the program that runs it
   * (default: this Node). Tests use them to watch the worker: a --require preload that records
   * every network attempt, a wrapper that runs it under strace (test/integration/privacy).
   */
  execArgv?: readonly string[];
  execPath?: string;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the worker ended without a done, error or cancelled outcome of its own. */
  crash?: { message: string; hint: string };
}

export class TrainingWorkerClient {
  private child: ChildProcess | undefined;
  private stderrTail: string[] = [];
  private finished = false;
  private killTimer: NodeJS.Timeout | undefined;
  readonly exited: Promise<WorkerExit>;
  private resolveExit!: (exit: WorkerExit) => void;

  constructor(private readonly options: TrainingWorkerOptions) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(job: TrainingJob): void {
    if (this.child) throw new Error("this worker client already started a job");
    const child = fork(this.options.workerScript, [], {
      execArgv: [`--max-old-space-size=${Math.round(this.options.maxHeapMb)}`, ...(this.options.execArgv ?? [])],
      ...(this.options.execPath ? { execPath: this.options.execPath } : {}),
      stdio: ["ignore", "inherit", "pipe", "ipc"],
      serialization: "json",
      env: { ...process.env, ...this.options.env },
    });
    this.child = child;
    let partial = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) this.noteStderr(line);
    });
    child.on("message", (raw: unknown) => this.onMessage(raw));
    child.on("error", (err) => this.noteStderr(`could not start the training worker: ${err.message}`));
    child.on("exit", (code, signal) => {
      if (partial) this.noteStderr(partial);
      if (this.killTimer) clearTimeout(this.killTimer);
      const exit: WorkerExit = { code, signal };
      if (!this.finished) {
        exit.crash = explainWorkerExit(code, signal, this.stderrTail, this.options.maxHeapMb);
        this.options.onEvent(makeWorkerEvent({ type: "error", ...exit.crash }));
      }
      this.resolveExit(exit);
    });
    this.send({ v: PROTOCOL_VERSION, type: "start", job });
  }

  /** Asks the worker to stop at its next step boundary; kills it if it has not within graceMs. */
  cancel(graceMs = 30_000): void {
    if (!this.child || this.child.exitCode !== null) return;
    this.send({ v: PROTOCOL_VERSION, type: "cancel" });
    this.killTimer ??= setTimeout(() => this.kill(), graceMs);
  }

  kill(): void {
    this.finished = true; // a kill we asked for is not a crash
    this.child?.kill("SIGKILL");
  }

  private send(command: WorkerCommand): void {
    this.child?.send(command);
  }

  private noteStderr(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > 40) this.stderrTail.shift();
    this.options.onStderr?.(line);
  }

  private onMessage(raw: unknown): void {
    let event: WorkerEvent;
    try {
      event = parseWorkerEvent(raw);
    } catch (err) {
      this.noteStderr(`ignored a malformed message from the training worker: ${(err as Error).message}`);
      return;
    }
    if (event.type === "done" || event.type === "error") this.finished = true;
    if (event.type === "stage-end" && event.status === "cancelled") this.finished = true;
    this.options.onEvent(event);
  }
}
