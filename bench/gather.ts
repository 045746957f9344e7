// `repotune bench gather [--repo DIR] [--json]`: gathers a repository into a temporary folder
// and reports files/s, MB/s and the process's peak RSS. Figures, never pass/fail. The targets
// (issue "Datasets from the workspace", on one core): 2,000 files/s, 20 MB/s, peak RSS under
// 300 MB whatever the repository's size. bench/README.md says how the published figures were made.
import type { Command } from "commander";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gatherDataset } from "../src/core/gather/gather";

export interface GatherBenchResult {
  repo: string;
  filesSeen: number;
  filesKept: number;
  /** MB read and examined (files excluded by path or size are not read). */
  mbRead: number;
  seconds: number;
  /** CPU time of this process (user + system) during the gathering. */
  cpuSeconds: number;
  filesPerSec: number;
  mbPerSec: number;
  /** The same rates per second of CPU: what one core gives when other processes share the machine. */
  filesPerCpuSec: number;
  mbPerCpuSec: number;
  /** Peak resident memory of the whole process (module loading included). */
  peakRssMb: number;
  /** Resident memory when gathering began: the rest of the peak is gathering's. */
  rssBeforeMb: number;
  samples: Record<string, number>;
  node: string;
  cpu: string;
}

export async function runGatherBench(repo: string): Promise<GatherBenchResult> {
  const out = mkdtempSync(join(tmpdir(), "repotune-bench-gather-"));
  try {
    const rssBefore = process.memoryUsage().rss;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const manifest = await gatherDataset({ repo, datasetDir: join(out, "dataset") });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const mbRead = manifest.files.bytesRead / 1e6;
    return {
      repo: manifest.repo,
      filesSeen: manifest.files.seen,
      filesKept: manifest.files.kept,
      mbRead: round(mbRead, 1),
      seconds: round(seconds, 2),
      cpuSeconds: round(cpuSeconds, 2),
      filesPerSec: Math.round(manifest.files.seen / seconds),
      mbPerSec: round(mbRead / seconds, 1),
      filesPerCpuSec: Math.round(manifest.files.seen / cpuSeconds),
      mbPerCpuSec: round(mbRead / cpuSeconds, 1),
      // maxRSS is in KiB: the peak of the whole process, module loading included.
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      rssBeforeMb: Math.round(rssBefore / 2 ** 20),
      samples: { ...manifest.counts },
      node: process.version,
      cpu: cpus()[0]?.model ?? "unknown",
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function formatGatherBench(r: GatherBenchResult): string {
  return [
    `repository   ${r.repo}`,
    `files        ${r.filesSeen} seen, ${r.filesKept} kept, ${r.mbRead} MB read`,
    `time         ${r.seconds} s wall, ${r.cpuSeconds} s CPU`,
    `filesPerSec  ${r.filesPerSec} (${r.filesPerCpuSec} per CPU second)`,
    `mbPerSec     ${r.mbPerSec} (${r.mbPerCpuSec} per CPU second)`,
    `peakRssMb    ${r.peakRssMb} (${r.rssBeforeMb} before gathering began)`,
    `machine      ${r.cpu}, Node ${r.node}`,
  ].join("\n");
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function registerBenchGather(bench: Command): void {
  bench
    .command("gather")
    .description("files/s, MB/s and peak memory of gathering a repository (into a temporary folder)")
    .option("--repo <dir>", "the repository to gather", ".")
    .option("--json", "print the figures as JSON")
    .action(async (flags: { repo: string; json?: boolean }) => {
      const result = await runGatherBench(resolve(flags.repo));
      process.stdout.write(`${flags.json ? JSON.stringify(result, null, 2) : formatGatherBench(result)}\n`);
    });
}
