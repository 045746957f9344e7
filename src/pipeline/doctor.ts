// What `repotune doctor` reports: the facts a bug report needs, and for each training
// backend or runtime that cannot run here, why not and what to do.
import * as os from "node:os";
import { probeAllBackends, type BackendProbe } from "../engine/backends/probe";
import { probeLlama, type LlamaProbe } from "../serve/llama-runtime";

export interface DoctorReport {
  repotuneVersion: string;
  node: { version: string; requiredMajor: number; ok: boolean };
  platform: string;
  arch: string;
  cpus: { count: number; model: string };
  memory: { totalMb: number; freeMb: number };
  backends: BackendProbe[];
  /** The backend `auto` would pick. */
  autoBackend: string | null;
  llama: LlamaProbe;
}

export const MIN_NODE_MAJOR = 20;

export async function runDoctor(version: string): Promise<DoctorReport> {
  const major = Number(process.versions.node.split(".")[0]);
  const backends = await probeAllBackends();
  const cpus = os.cpus();
  return {
    repotuneVersion: version,
    node: { version: process.versions.node, requiredMajor: MIN_NODE_MAJOR, ok: major >= MIN_NODE_MAJOR },
    platform: process.platform,
    arch: process.arch,
    cpus: { count: os.availableParallelism?.() ?? cpus.length, model: cpus[0]?.model.trim() ?? "unknown" },
    memory: { totalMb: Math.round(os.totalmem() / 2 ** 20), freeMb: Math.round(os.freemem() / 2 ** 20) },
    backends,
    autoBackend: backends.find((b) => b.available)?.backend ?? null,
    llama: await probeLlama(),
  };
}

/** Plain-text rendering for a terminal. */
export function formatDoctor(r: DoctorReport): string {
  const yes = (ok: boolean) => (ok ? "ok " : "no ");
  const lines = [
    `RepoTune ${r.repotuneVersion}`,
    `${yes(r.node.ok)} Node.js ${r.node.version} (needs ${r.node.requiredMajor} or later)`,
    `    platform  ${r.platform}-${r.arch}`,
    `    CPUs      ${r.cpus.count} x ${r.cpus.model}`,
    `    memory    ${(r.memory.totalMb / 1024).toFixed(1)} GiB total, ${(r.memory.freeMb / 1024).toFixed(1)} GiB free`,
    "",
    "Training backends (fastest first):",
  ];
  for (const b of r.backends) {
    lines.push(`${yes(b.available)} ${b.backend.padEnd(10)} ${b.detail}`);
    if (!b.available && b.hint) lines.push(`    ${"".padEnd(10)} -> ${b.hint}`);
  }
  lines.push(`    auto picks: ${r.autoBackend ?? "nothing (no backend loads)"}`);
  lines.push("", "Completions (llama.cpp through node-llama-cpp):");
  lines.push(`${yes(r.llama.available)} node-llama-cpp ${r.llama.version}: ${r.llama.detail}`);
  if (r.llama.hint) lines.push(`    -> ${r.llama.hint}`);
  return lines.join("\n");
}
