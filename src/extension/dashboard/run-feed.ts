// Feeds the dashboard from the data folder: the run list, the selected run's events.jsonl
// (replayed, then tailed while it grows), its report.json and dataset manifest, and the
// feedback log. Reading the files (not listening to the worker) means a past run, a run
// started from the CLI and a live run all reach the page the same way.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type * as vscode from "vscode";
import { FeedbackAccumulator } from "./feed/feedback";
import { JsonlTail, type TailChunk } from "./feed/jsonl-tail";
import { summarizeManifest } from "./feed/manifest";
import { normalizeReport } from "./feed/report";
import { listRuns, runEventsPath, runsDir } from "./feed/runs";
import { parseWorkerEvent, PROTOCOL_VERSION, type DashboardUpdate, type RunInfo, type WorkerEvent } from "../../core/protocol";
import { readJsonFile } from "./read-json";

type Post = (update: DashboardUpdate) => void;

/** Events per message: small enough that the page stays responsive while a replay streams in. */
const BATCH = 4000;
const POLL_MS = 700;
/** Reads of a run's log per poll (8 MB each): a 1 GB log is caught up within a few polls. */
const MAX_READS_PER_TICK = 32;
/** The run list changes rarely: look every few ticks. */
const RUNS_EVERY = 4;

export class RunFeed implements vscode.Disposable {
  private runs: RunInfo[] = [];
  private selected: string | null = null;
  /** Follow the newest run (a new run replaces the one shown) until the user picks another. */
  private followLatest = true;
  private events: JsonlTail | null = null;
  /** A run was just opened: say so if its log ends in a torn line, once the reads reach its end. */
  private checkTornEnd = false;
  private artifacts: Record<string, string> = {};
  private reportStamp = "";
  private manifestStamp = "";
  private readonly feedback = new FeedbackAccumulator();
  private feedbackTail: JsonlTail | null = null;
  private feedbackSent = "";
  private timer: ReturnType<typeof setInterval> | undefined;
  private ticks = 0;
  private busy = false;
  /** Bumped on every selection so a slow read for the previous run is dropped. */
  private generation = 0;

  /** Fixed when the page loads, so a change of active folder does not swap runs under it. */
  private dir: string | undefined;

  constructor(
    private readonly dataDirOf: () => string | undefined,
    private readonly post: Post,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The page is (re)loaded: send everything, starting with the run it showed before. */
  async start(requestedRunId?: string): Promise<void> {
    this.stop();
    this.dir = this.dataDirOf();
    this.feedback.clear();
    this.feedbackTail = null;
    this.feedbackSent = "";
    await this.refreshRuns(false); // select() sends the list with the selection
    const wanted = requestedRunId && this.runs.some((r) => r.id === requestedRunId) ? requestedRunId : (this.runs[0]?.id ?? null);
    await this.select(wanted, requestedRunId === undefined || wanted === this.runs[0]?.id);
    this.timer = setInterval(() => void this.tick(), POLL_MS);
  }

  /** Stops polling while the page is hidden (VS Code drops a hidden webview's page). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async select(runId: string | null, follow: boolean): Promise<void> {
    if (runId !== null && !this.runs.some((r) => r.id === runId)) {
      this.notice("warn", `Run ${runId} is not in the data folder any more.`);
      return;
    }
    this.generation++;
    this.selected = runId;
    this.followLatest = follow;
    this.artifacts = {};
    this.reportStamp = "";
    this.manifestStamp = "";
    this.post({ v: PROTOCOL_VERSION, type: "runs", runs: this.runs, selected: this.selected });
    const dir = this.dir;
    this.events = runId && dir ? new JsonlTail(runEventsPath(dir, runId)) : null;
    await this.pumpEvents(true);
    await this.pumpReportAndManifest();
    await this.pumpFeedback();
  }

  selectedRunDir(): string | undefined {
    const dir = this.dir;
    return dir && this.selected ? join(runsDir(dir), this.selected) : undefined;
  }

  get dataDir(): string | undefined {
    return this.dir;
  }

  get selectedRunId(): string | null {
    return this.selected;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      if (this.ticks++ % RUNS_EVERY === 0) {
        const before = this.runs[0]?.id;
        await this.refreshRuns();
        const newest = this.runs[0]?.id;
        if (newest && newest !== before && this.followLatest && newest !== this.selected) await this.select(newest, true);
      }
      await this.pumpEvents(false);
      await this.pumpReportAndManifest();
      await this.pumpFeedback();
    } catch (err) {
      this.log.warn(`Dashboard: reading the data folder failed: ${(err as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  private async refreshRuns(post = true): Promise<void> {
    const dir = this.dir;
    const runs = dir ? await listRuns(dir) : [];
    if (JSON.stringify(runs) !== JSON.stringify(this.runs)) {
      this.runs = runs;
      if (post) this.post({ v: PROTOCOL_VERSION, type: "runs", runs, selected: this.selected });
    }
  }

  private async pumpEvents(reset: boolean): Promise<void> {
    const runId = this.selected;
    const tail = this.events;
    const generation = this.generation;
    if (!runId || !tail) {
      if (reset && runId) this.post({ v: PROTOCOL_VERSION, type: "events", runId, reset: true, events: [] });
      return;
    }
    if (reset) this.checkTornEnd = true;
    // A long log (a GPU run of millions of steps) comes in several reads of 8 MB: catch up
    // within this tick, yielding between reads so the extension host stays responsive.
    let chunk = await tail.read();
    for (let reads = 1; chunk.more && reads < MAX_READS_PER_TICK && generation === this.generation; reads++) {
      this.postEvents(runId, tail, chunk, reset && reads === 1);
      await new Promise((r) => setImmediate(r));
      chunk = await tail.read();
      reset = false;
    }
    if (generation !== this.generation) return;
    this.postEvents(runId, tail, chunk, reset);
  }

  private postEvents(runId: string, tail: JsonlTail, chunk: TailChunk, reset: boolean): void {
    const events: WorkerEvent[] = [];
    let invalid = chunk.malformed;
    for (const record of chunk.records) {
      try {
        const event = parseWorkerEvent(record);
        if (event.type === "done") this.artifacts = { ...event.artifacts };
        events.push(event);
      } catch {
        invalid++;
      }
    }
    if (invalid) {
      this.log.warn(`Dashboard: skipped ${invalid} unreadable line(s) of ${tail.path}`);
      this.notice("warn", `${invalid} line(s) of this run's events.jsonl could not be read and were skipped.`);
    }
    const restart = reset || chunk.restarted;
    if (!events.length && !restart) return;
    for (let i = 0; i < Math.max(events.length, 1); i += BATCH) {
      this.post({ v: PROTOCOL_VERSION, type: "events", runId, reset: restart && i === 0, events: events.slice(i, i + BATCH) });
    }
    const info = this.runs.find((r) => r.id === runId);
    // Once per opened run, when the reads reach the end: only there is a line without its
    // newline torn (mid-way it is the next read's).
    if (this.checkTornEnd && !chunk.more) {
      this.checkTornEnd = false;
      if (info && info.status !== "running" && tail.pendingPartialLine) {
        this.notice("warn", "The last line of this run's events.jsonl is incomplete (the run stopped while writing it); it was skipped.");
      }
    }
  }

  private async pumpReportAndManifest(): Promise<void> {
    const runDir = this.selectedRunDir();
    const runId = this.selected;
    const dir = this.dir;
    if (!runDir || !runId || !dir) return;
    const generation = this.generation;
    const report = await firstExisting([this.artifacts.report, join(runDir, "report.json")]);
    if (generation !== this.generation) return;
    if (report.stamp !== this.reportStamp) {
      this.reportStamp = report.stamp;
      const read = report.path ? await readJsonFile(report.path) : { value: null, problem: null };
      const normalized = normalizeReport(read.value);
      this.post({ v: PROTOCOL_VERSION, type: "report", runId, report: normalized });
      const problem = read.problem ?? (read.value !== null && normalized === null ? `${report.path} has no "stages" object` : null);
      if (problem) this.unreadable(problem, "evaluation figures");
    }
    // The Datasets issue decides where manifest.json lives: the run's own folder first.
    const manifest = await firstExisting([
      this.artifacts.manifest,
      join(runDir, "manifest.json"),
      join(runDir, "data", "manifest.json"),
      join(runDir, "dataset", "manifest.json"),
      join(dir, "data", "manifest.json"),
      join(dir, "dataset", "manifest.json"),
      join(dir, "manifest.json"),
    ]);
    if (generation !== this.generation) return;
    if (manifest.stamp !== this.manifestStamp) {
      this.manifestStamp = manifest.stamp;
      const read = manifest.path ? await readJsonFile(manifest.path) : { value: null, problem: null };
      const summary = summarizeManifest(read.value);
      this.post({ v: PROTOCOL_VERSION, type: "dataset", runId, dataset: summary });
      const problem = read.problem ?? (read.value !== null && summary === null ? `${manifest.path} is not a JSON object` : null);
      if (problem) this.unreadable(problem, "dataset figures");
    }
  }

  private async pumpFeedback(): Promise<void> {
    const dir = this.dir;
    if (!dir) return;
    this.feedbackTail ??= new JsonlTail(join(dir, "feedback", "events.jsonl"));
    const chunk = await this.feedbackTail.read();
    if (chunk.restarted) this.feedback.clear();
    for (const record of chunk.records) this.feedback.add(record);
    this.feedback.skipped += chunk.malformed;
    // Pairs recorded after the newest finished run started have not been trained on yet.
    const lastDone = this.runs.find((r) => r.status === "done" && r.startedAt);
    const lastDpoAt = lastDone?.startedAt ? Date.parse(lastDone.startedAt) : null;
    const summary = this.feedback.summary(Number.isFinite(lastDpoAt) ? lastDpoAt : null);
    const key = JSON.stringify(summary);
    if (key !== this.feedbackSent) {
      this.feedbackSent = key;
      this.post({ v: PROTOCOL_VERSION, type: "feedback", feedback: summary });
    }
  }

  /** A run file that is there but cannot be read: said once per version of it (the stamps gate this). */
  private unreadable(problem: string, what: string): void {
    this.log.warn(`Dashboard: ${problem}`);
    this.notice("warn", `${problem}; its ${what} are not shown. Rerun the stage that writes it, or delete the file.`);
  }

  private notice(level: "info" | "warn" | "error", text: string): void {
    this.post({ v: PROTOCOL_VERSION, type: "notice", level, text });
  }

  dispose(): void {
    this.stop();
    this.generation++;
  }
}

/** The first path that exists, and a stamp that changes when that file does. */
async function firstExisting(paths: (string | undefined)[]): Promise<{ path: string | null; stamp: string }> {
  for (const path of paths) {
    if (!path) continue;
    try {
      const info = await stat(path);
      if (info.isFile()) return { path, stamp: `${path}:${info.mtimeMs}:${info.size}` };
    } catch {
      // not there: try the next
    }
  }
  return { path: null, stamp: "none" };
}
