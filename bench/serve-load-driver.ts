// Drives the forked completion server (out/completion-server.js) with N clients at once, each
// asking again as soon as it is answered, some cancelling after a few milliseconds as typing
// does: every id's replies are counted (none lost, none answered twice), latencies kept, and
// the server's resident memory sampled each second from /proc. Used by bench/serve-load.ts
// (figures) and test/integration/serve/server-load.test.ts (the no-loss, no-duplicate checks).
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseServerReply, PROTOCOL_VERSION, type ServerReply } from "../src/core/protocol";

export interface LoadOptions {
  serverScript: string;
  modelPath: string;
  clients: number;
  seconds: number;
  /** Places to complete at: prefix and suffix. */
  places: readonly { prefix: string; suffix: string }[];
  /** Share of requests cancelled a few ms after they are sent (default 0.1). */
  cancelShare?: number;
  threads?: number;
}

export interface LoadResult {
  sent: number;
  completions: number;
  cancelled: number;
  errors: number;
  /** Requests with no reply at all after the run and a drain of 10 s. */
  lost: number;
  /** Requests answered more than once. */
  duplicates: number;
  /** Replies naming an id never sent. */
  strays: number;
  latencyMs: { p50: number; p95: number; max: number };
  /** The server's RSS in MB, one sample a second. */
  rssMb: number[];
  seconds: number;
}

function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const child = fork(o.serverScript, [], { stdio: ["ignore", "ignore", "ignore", "ipc"], serialization: "json" });
  const replies = new Map<string, ServerReply[]>();
  const sentAt = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  let strays = 0;
  let ready: () => void = () => undefined;
  const loaded = new Promise<void>((r) => (ready = r));
  child.on("message", (raw) => {
    const reply = parseServerReply(raw);
    if (reply.type === "ready") return ready();
    if (!("id" in reply) || !reply.id) return;
    if (!sentAt.has(reply.id)) {
      strays++;
      return;
    }
    const list = replies.get(reply.id) ?? [];
    list.push(reply);
    replies.set(reply.id, list);
    waiting.get(reply.id)?.();
    waiting.delete(reply.id);
  });
  child.send({ v: PROTOCOL_VERSION, type: "load", modelPath: o.modelPath, threads: o.threads ?? 1 });
  await loaded;

  const samples: number[] = [];
  const sampler = setInterval(() => {
    const mb = child.pid ? rssMb(child.pid) : null;
    if (mb !== null) samples.push(mb);
  }, 1000);
  const started = Date.now();
  const end = started + o.seconds * 1000;
  let n = 0;
  const latencies: number[] = [];
  const client = async (c: number) => {
    while (Date.now() < end) {
      const id = `c${c}-${n++}`;
      const place = o.places[n % o.places.length]!;
      const answered = new Promise<void>((r) => waiting.set(id, r));
      sentAt.set(id, Date.now());
      child.send({ v: PROTOCOL_VERSION, type: "complete", id, prefix: place.prefix, suffix: place.suffix, languageId: "typescript", maxTokens: 32, mode: n % 3 === 0 ? "block" : "line" });
      if ((n * 7919) % 100 < (o.cancelShare ?? 0.1) * 100) setTimeout(() => child.send({ v: PROTOCOL_VERSION, type: "cancel", id }), 3);
      // A request never answered must not stall the client forever: it is counted as lost.
      await Promise.race([answered, new Promise((r) => setTimeout(r, 30_000))]);
      const first = replies.get(id)?.[0];
      if (first?.type === "completion") latencies.push(Date.now() - sentAt.get(id)!);
    }
  };
  await Promise.all(Array.from({ length: o.clients }, (_, c) => client(c)));
  const seconds = (Date.now() - started) / 1000;
  // Late replies (a duplicate would come after the first) get time to arrive.
  await new Promise((r) => setTimeout(r, 2000));
  clearInterval(sampler);
  child.disconnect();
  let lost = 0;
  let duplicates = 0;
  const count = { completion: 0, cancelled: 0, error: 0 };
  for (const id of sentAt.keys()) {
    const list = replies.get(id) ?? [];
    if (list.length === 0) lost++;
    if (list.length > 1) duplicates++;
    const first = list[0];
    if (first?.type === "completion") count.completion++;
    else if (first?.type === "cancelled") count.cancelled++;
    else if (first?.type === "error") count.error++;
  }
  return {
    sent: sentAt.size,
    completions: count.completion,
    cancelled: count.cancelled,
    errors: count.error,
    lost,
    duplicates,
    strays,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: Math.max(...latencies) },
    rssMb: samples,
    seconds,
  };
}
