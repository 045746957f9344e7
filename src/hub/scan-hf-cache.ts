// The Hugging Face hub cache (huggingface_hub's layout): models--{Org}--{Name}/refs/main holds
// the commit that "main" pointed at when last downloaded, snapshots/{commit}/ holds the files
// as links into ../../blobs. Only that snapshot is listed, so old revisions do not repeat a name.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { walkForModels, type Candidate } from "./walk";

export interface NamedCandidate extends Candidate {
  name: string;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** refs/main's commit, else the most recently modified snapshot (a cache filled by revision only). */
function snapshotOf(repoDir: string): string | undefined {
  try {
    const commit = readFileSync(join(repoDir, "refs", "main"), "utf8").trim();
    if (/^[0-9a-f]{7,64}$/i.test(commit) && listDir(join(repoDir, "snapshots")).includes(commit)) return join(repoDir, "snapshots", commit);
  } catch { /* no refs/main */ }
  let best: { path: string; mtime: number } | undefined;
  for (const s of listDir(join(repoDir, "snapshots"))) {
    const path = join(repoDir, "snapshots", s);
    try {
      const mtime = statSync(path).mtimeMs;
      if (!best || mtime > best.mtime) best = { path, mtime };
    } catch { /* vanished */ }
  }
  return best?.path;
}

export function scanHfCache(root: string): NamedCandidate[] {
  const out: NamedCandidate[] = [];
  for (const entry of listDir(root)) {
    const m = /^models--(.+)$/.exec(entry);
    if (!m) continue; // datasets--, spaces--, .locks
    const repo = m[1]!.split("--").join("/");
    const snapshot = snapshotOf(join(root, entry));
    if (!snapshot) continue;
    for (const c of walkForModels(snapshot, { maxDepth: 2, maxEntries: 2_000 })) {
      if (c.kind === "hf") {
        const sub = relative(snapshot, c.path);
        out.push({ ...c, name: sub ? `${repo}/${sub.split(sep).join("/")}` : repo });
      } else {
        out.push({ ...c, name: `${repo}/${relative(snapshot, c.path).split(sep).join("/")}` });
      }
    }
  }
  return out;
}
