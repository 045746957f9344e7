// `node --import tsx bench/serve-load.ts [--model FILE.gguf] [--seconds 60] [--clients 20] [--json]`:
// the completion server under N clients at once for a minute (bench/serve-load-driver.ts):
// requests answered, lost and answered twice, p50/p95 latency, and the server's RSS over the
// minute (its change from the 10th second to the end: stable means a leak would show). The
// reference, in the same script, is one client alone for 10 s on the same server build and
// model: the ratio of p95 under load to p50 alone is what queueing costs. Without --model, a
// tiny random model of ours (the figures then measure the server, IPC and cache, not llama.cpp).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { realCode } from "../test/integration/serve/helpers/real-code";
import { ensureServerBundle } from "../test/integration/serve/helpers/server-bundle";
import { writeTinyServableGguf } from "../test/integration/serve/helpers/tiny-checkpoint";
import { runLoad } from "./serve-load-driver";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};

async function main(): Promise<void> {
  const seconds = Number(flag("--seconds") ?? 60);
  const clients = Number(flag("--clients") ?? 20);
  const dir = mkdtempSync(join(tmpdir(), "repotune-serve-load-"));
  try {
    let model = flag("--model");
    if (!model) {
      model = await writeTinyServableGguf(dir);
    }
    const code = realCode(400_000);
    // Mostly new places (a cache hit is the exception while typing), a few revisited.
    const places = Array.from({ length: 4000 }, (_, i) => {
      const at = 2000 + ((i * 97) % (code.length - 2500));
      return { prefix: code.slice(at - 1500, at), suffix: code.slice(at, at + 300) };
    });
    const serverScript = await ensureServerBundle();
    const alone = await runLoad({ serverScript, modelPath: model, clients: 1, seconds: 10, places, cancelShare: 0 });
    const load = await runLoad({ serverScript, modelPath: model, clients, seconds, places, cancelShare: 0.1 });
    const at10 = load.rssMb[Math.min(9, load.rssMb.length - 1)] ?? Number.NaN;
    const last = load.rssMb[load.rssMb.length - 1] ?? Number.NaN;
    const result = {
      model: flag("--model") ?? "tiny random model (2 layers)",
      clients,
      seconds: Number(load.seconds.toFixed(1)),
      requests: load.sent,
      perSecond: Number((load.sent / load.seconds).toFixed(0)),
      completions: load.completions,
      cancelled: load.cancelled,
      errors: load.errors,
      lost: load.lost,
      duplicates: load.duplicates,
      p50Ms: load.latencyMs.p50,
      p95Ms: load.latencyMs.p95,
      maxMs: load.latencyMs.max,
      aloneP50Ms: alone.latencyMs.p50,
      p95OverAloneP50: Number((load.latencyMs.p95 / alone.latencyMs.p50).toFixed(1)),
      rssMbAt10s: Number(at10.toFixed(0)),
      rssMbAtEnd: Number(last.toFixed(0)),
      rssMbMax: Number(Math.max(...load.rssMb).toFixed(0)),
      rssChangePct: Number(((100 * (last - at10)) / at10).toFixed(1)),
    };
    if (args.includes("--json")) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(
        `${result.clients} clients for ${result.seconds} s on ${result.model}: ${result.requests} requests (${result.perSecond}/s), ${result.completions} completions, ${result.cancelled} cancelled, ${result.errors} errors, ${result.lost} lost, ${result.duplicates} answered twice\n` +
          `latency p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, max ${result.maxMs} ms; one client alone: p50 ${result.aloneP50Ms} ms (p95 under load / p50 alone: ${result.p95OverAloneP50}x)\n` +
          `server RSS: ${result.rssMbAt10s} MB at 10 s, ${result.rssMbAtEnd} MB at the end (${result.rssChangePct >= 0 ? "+" : ""}${result.rssChangePct}%), max ${result.rssMbMax} MB\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
