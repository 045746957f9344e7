// What `repotune gather` prints: files seen / kept / excluded by reason, samples by kind,
// estimated tokens and speed, as a small aligned table.
import type { DatasetManifest } from "../../core/store/dataset-manifest";

export function formatGatherReport(manifest: DatasetManifest, datasetDir: string): string {
  const source = manifest.source.kind === "git" ? `git, HEAD ${manifest.source.head?.slice(0, 10) ?? "(no commits)"}${manifest.source.branch ? ` on ${manifest.source.branch}` : ""}` : "folder, not a git repository";
  const rows: Array<[string, string]> = [
    ["repository", `${manifest.repo} (${source})`],
    ["files", `${manifest.files.seen} seen, ${manifest.files.kept} kept, ${manifest.files.excluded} excluded`],
  ];
  const reasons = Object.entries(manifest.excludedByReason).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  const width = Math.max(0, ...reasons.map(([reason]) => reason.length));
  reasons.forEach(([reason, n], i) => rows.push([i === 0 ? "excluded" : "", `${reason.padEnd(width)}  ${String(n).padStart(6)}`]));
  const c = manifest.counts;
  rows.push(["split", `${manifest.split.train} files to train on, ${manifest.split.heldout} held out (seed ${manifest.split.seed})`]);
  rows.push(["samples", `pretrain ${c.pretrain}, fim ${c.fim}, docstring ${c.docstring}, commit ${c.commit}, held-out probes ${c.heldout}, preferences ${c.preferences}`]);
  rows.push(["tokens", `~${thousands(manifest.tokens.pretrain)} pretrain, ~${thousands(manifest.tokens.sft)} sft, ~${thousands(manifest.tokens.heldout)} held-out (estimated)`]);
  if (manifest.source.kind === "git") rows.push(["commits", `${manifest.commits.used} of the last ${manifest.commits.scanned} gave pairs`]);
  rows.push(["speed", `${(manifest.durationMs / 1000).toFixed(1)} s: ${manifest.throughput.filesPerSec} files/s, ${manifest.throughput.mbPerSec} MB/s`]);
  rows.push(["dataset", datasetDir]);
  for (const note of manifest.notes) rows.push(["note", note]);
  const label = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, v]) => `${l.padEnd(label)}  ${v}`).join("\n");
}

function thousands(n: number): string {
  return n >= 10_000 ? `${Math.round(n / 1000)}k` : String(n);
}
