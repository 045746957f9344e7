// The run picker's list: every OUT/runs/<run-id>/ that has an events.jsonl, newest first,
// with its preset and how it ended: from the run's run.json (the pipeline's record, with
// the worker's pid) where there is one, else from the first and last lines of its log only
// (a long run's log is tens of megabytes; the picker must not read them all).
import type { Dirent } from "node:fs";
import { open, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { RunInfo, RunStatus } from "../../../core/protocol";
import { parseLines } from "./jsonl-tail";
import { processAlive } from "../../../core/process/process-alive";

export const EVENTS_FILE = "events.jsonl";
/** A log that grew this recently, with no end in it, belongs to a run still going. */
export const ACTIVE_WITHIN_MS = 120_000;

export function runsDir(dataDir: string): string {
  return join(dataDir, "runs");
}

export function runEventsPath(dataDir: string, runId: string): string {
  return join(runsDir(dataDir), runId, EVENTS_FILE);
}

export async function listRuns(dataDir: string, now = Date.now()): Promise<RunInfo[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(runsDir(dataDir), { withFileTypes: true });
  } catch {
    return [];
  }
  const runs: (RunInfo & { sortKey: number })[] = [];
  for (const entry of entries) {
    // `latest` is a link to the newest run, not a run of its own.
    if (!entry.isDirectory() || !/^(?!\.{1,2}$)[\w.-]{1,128}$/.test(entry.name)) continue;
    const path = join(runsDir(dataDir), entry.name, EVENTS_FILE);
    let info;
    try {
      info = await stat(path);
    } catch {
      continue;
    }
    const record = await readRunRecord(join(runsDir(dataDir), entry.name, "run.json"));
    const { head, tail } = await readEnds(path, info.size);
    const first = head.find((r) => isObject(r) && r.type === "run-start") as Record<string, unknown> | undefined;
    const startedAt = record?.startedAt ?? (typeof first?.time === "string" ? first.time : null);
    const preset = record?.preset ?? (typeof first?.preset === "string" ? first.preset : null);
    const fromLog = statusOf(tail, now - info.mtimeMs < ACTIVE_WITHIN_MS);
    // The log's end is the truth once it has one; run.json says whether a run without one
    // still has a live worker.
    const decided = fromLog !== "running" && fromLog !== "incomplete";
    const status = decided || !record ? fromLog : (record.ended ?? (record.alive ? "running" : "incomplete"));
    const parsed = startedAt ? Date.parse(startedAt) : NaN;
    runs.push({ id: entry.name, startedAt, preset, status, sortKey: Number.isFinite(parsed) ? parsed : info.mtimeMs });
  }
  runs.sort((a, b) => b.sortKey - a.sortKey || b.id.localeCompare(a.id));
  return runs.map(({ sortKey: _sortKey, ...run }) => run);
}

/** How a run ended, from the last events of its log. */
export function statusOf(lastEvents: unknown[], recentlyWritten: boolean): RunStatus {
  for (let i = lastEvents.length - 1; i >= 0; i--) {
    const e = lastEvents[i];
    if (!isObject(e)) continue;
    if (e.type === "done") return "done";
    if (e.type === "error") return "failed";
    if (e.type === "stage-end" && e.status === "cancelled") return "cancelled";
    // A newer start (a resume) wins over how an earlier attempt ended.
    if (e.type === "run-start") break;
  }
  return recentlyWritten ? "running" : "incomplete";
}

const END_BYTES = 16 * 1024;

async function readEnds(path: string, size: number): Promise<{ head: unknown[]; tail: unknown[] }> {
  const handle = await open(path, "r");
  try {
    const headBuf = Buffer.alloc(Math.min(size, END_BYTES));
    await handle.read(headBuf, 0, headBuf.length, 0);
    const tailStart = Math.max(0, size - END_BYTES);
    const tailBuf = Buffer.alloc(size - tailStart);
    await handle.read(tailBuf, 0, tailBuf.length, tailStart);
    const headLines = headBuf.toString("utf8").split("\n");
    if (size > END_BYTES) headLines.pop(); // cut mid-line
    const tailLines = tailBuf.toString("utf8").split("\n");
    if (tailStart > 0) tailLines.shift(); // cut mid-line
    return { head: parseLines(headLines).records, tail: parseLines(tailLines).records };
  } finally {
    await handle.close();
  }
}

interface RecordFacts {
  startedAt: string | null;
  preset: string | null;
  /** How run.json says the run ended, if it did. */
  ended: RunStatus | null;
  /** A run.json that says "running" with a worker process still there. */
  alive: boolean;
}

/** OUT/runs/<id>/run.json as the pipeline writes it (core/runs/run-record.ts), read defensively. */
async function readRunRecord(path: string): Promise<RecordFacts | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch {
    return undefined;
  }
  if (!isObject(raw)) return undefined;
  const job = isObject(raw.job) ? raw.job : {};
  const pid = typeof raw.pid === "number" ? raw.pid : 0;
  return {
    startedAt: typeof raw.startedAt === "string" ? raw.startedAt : null,
    preset: typeof job.preset === "string" ? job.preset : null,
    ended: raw.status === "done" ? "done" : raw.status === "failed" ? "failed" : raw.status === "cancelled" ? "cancelled" : null,
    alive: raw.status === "running" && pid > 0 && processAlive(pid),
  };
}


function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
