// `node --import tsx bench/dashboard-load.ts [--mb 1024] [--json]`: opens an events.jsonl of
// about 1 GB (millions of progress events, as a very long run leaves) the way the dashboard
// does: the extension's tail reader (64 MB at a time), the protocol's validation of each event,
// and the page's run model (webview/dashboard/model, bounded by MAX_POINTS per stage). Reports
// MB/s, the process's peak RSS (what opening it costs in memory) and the points the page keeps;
// the reference, in the same script, is a plain line count of the same file with a read stream.
import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseWorkerEvent, PROTOCOL_VERSION } from "../src/core/protocol";
import { JsonlAppender } from "../src/core/store/jsonl-appender";
import { JsonlTail } from "../src/extension/dashboard/feed/jsonl-tail";
import { applyEvent, createRunModel } from "../webview/dashboard/model/run-model";

const args = process.argv.slice(2);
const mbWanted = Number(args[args.indexOf("--mb") + 1] ?? 1024) || 1024;

function writeLog(file: string, bytes: number): number {
  const log = JsonlAppender.open(file, { bufferBytes: 4 << 20 });
  const stages = ["pretrain", "sft", "dpo", "distill"] as const;
  let n = 0;
  const time = new Date().toISOString();
  log.append({ v: PROTOCOL_VERSION, time, type: "run-start", runId: "r", runDir: "/r", preset: "base", backend: "webgpu", device: "gpu" });
  while (log.bytes < bytes) {
    const stage = stages[Math.min(3, Math.floor((4 * log.bytes) / bytes))]!;
    const step = ++n;
    const metrics = stage === "dpo" ? { "rewards/chosen": Math.sin(step), "rewards/rejected": Math.cos(step), "rewards/accuracies": 0.5 } : undefined;
    log.append({ v: PROTOCOL_VERSION, time, type: "progress", stage, step, totalSteps: 10_000_000, loss: 2 + Math.sin(step / 1000), lr: 3e-4, tokensPerSec: 1200 + (step % 97), etaSec: 100, rssMb: 900 + (step % 50), ...(metrics ? { metrics } : {}) });
    if (log.records % 4096 === 0) log.flush();
  }
  log.close();
  return n + 1;
}

async function lineCount(file: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) for (const b of chunk) if (b === 10) lines++;
  return lines;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "repotune-dash-load-"));
  try {
    const file = join(dir, "events.jsonl");
    const written = writeLog(file, mbWanted * 1e6);
    const mb = statSync(file).size / 1e6;
    let t = performance.now();
    const lines = await lineCount(file);
    const countSec = (performance.now() - t) / 1000;

    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const model = createRunModel();
    const tail = new JsonlTail(file);
    let events = 0;
    t = performance.now();
    for (;;) {
      const chunk = await tail.read();
      if (!chunk.records.length) break;
      for (const raw of chunk.records) {
        applyEvent(model, parseWorkerEvent(raw));
        events++;
      }
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const feedSec = (performance.now() - t) / 1000;
    clearInterval(sampler);
    const points = Object.fromEntries([...model.series].map(([stage, s]) => [stage, s.x.length]));
    const result = {
      mb: Number(mb.toFixed(0)),
      events,
      written,
      lines,
      feedSec: Number(feedSec.toFixed(1)),
      feedMBps: Number((mb / feedSec).toFixed(1)),
      lineCountMBps: Number((mb / countSec).toFixed(1)),
      ratio: Number((feedSec / countSec).toFixed(1)),
      rssBeforeMb: Math.round(rssBefore / 2 ** 20),
      peakRssMb: Math.round(peak / 2 ** 20),
      pointsKept: points,
    };
    if (args.includes("--json")) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(
        `${result.mb} MB events.jsonl, ${result.events} events (${result.lines} lines): read, validated and folded into the page's model in ${result.feedSec} s (${result.feedMBps} MB/s; a plain line count ${result.lineCountMBps} MB/s, ${result.ratio}x faster)\n` +
          `peak RSS ${result.peakRssMb} MB (${result.rssBeforeMb} MB before opening); points kept per stage: ${JSON.stringify(points)}\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
