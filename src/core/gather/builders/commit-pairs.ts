// Commit pairs of sft.jsonl: {prompt, completion, kind: "commit", path}. For each file a recent
// commit changed, the prompt is the file as it was before (with its path header) followed by the
// commit message laid out as `git show` prints it; the completion is that file's diff exactly as
// `git show <commit> -- <path>` prints it. Merges, commits touching many files, huge changes,
// binary changes, files not in the training set and anything holding a credential make no pair.
import type { SimpleGit } from "simple-git";
import { FILE_SEP } from "../../tokenizer/special-tokens";
import type { SftRecord } from "../../store/dataset-files";
import { findSecret } from "../secrets/find-secret";
import { pretrainHeader } from "./pretrain";

export interface CommitSettings {
  count: number;
  maxChangedLines: number;
  maxFiles: number;
  maxBeforeBytes: number;
}

export interface CommitStats {
  scanned: number;
  used: number;
  skipped: Record<string, number>;
}

/** Output that does not depend on the user's git configuration (prefixes, context, colours). */
const DIFF_FLAGS = ["--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "--src-prefix=a/", "--dst-prefix=b/", "-U3", "--relative"];

export function commitPrompt(path: string, before: string, message: string): string {
  const body = before === "" || before.endsWith("\n") ? before : `${before}\n`;
  const indented = message.replace(/\s+$/, "").split("\n").map((line) => (line ? `    ${line}` : "")).join("\n");
  return `${pretrainHeader(path)}${body}${FILE_SEP}git show\n${indented}\n\n`;
}

/** `trainFiles`: the training set's paths and their languages (held-out files never pair). */
export async function buildCommitPairs(git: SimpleGit, trainFiles: ReadonlyMap<string, string>, settings: CommitSettings, emit: (record: SftRecord) => void, signal?: AbortSignal): Promise<CommitStats> {
  const stats: CommitStats = { scanned: 0, used: 0, skipped: {} };
  const skip = (why: string, n = 1) => (stats.skipped[why] = (stats.skipped[why] ?? 0) + n);
  let hashes: string[];
  try {
    hashes = (await git.raw(["log", `--max-count=${settings.count}`, "--no-merges", "--format=%H", "--", "."])).split("\n").filter(Boolean);
  } catch {
    return stats; // no commits yet
  }
  for (const hash of hashes) {
    if (signal?.aborted) break;
    stats.scanned++;
    const commit = await readCommit(git, hash);
    if (commit.files.length > settings.maxFiles) {
      skip("too many files");
      continue;
    }
    const chosen: string[] = [];
    for (const file of commit.files) {
      if (file.binary) skip("binary");
      else if (!trainFiles.has(file.path)) skip("not in the training set");
      else if (file.changedLines > settings.maxChangedLines) skip("change too large");
      else chosen.push(file.path);
    }
    if (chosen.length === 0) continue;
    if (findSecret(commit.message)) {
      skip("secret", chosen.length);
      continue;
    }
    const diffs = await fileDiffs(git, hash, chosen);
    const sizes = commit.parent ? await blobSizes(git, commit.parent, chosen) : new Map<string, number>();
    let pairs = 0;
    for (const path of chosen) {
      const diff = diffs.get(path);
      if (diff === undefined) {
        skip("unparsed diff");
        continue;
      }
      const size = sizes.get(path);
      if (size !== undefined && size > settings.maxBeforeBytes) {
        skip("file before too large");
        continue;
      }
      const before = commit.parent && size !== undefined ? await git.raw(["show", `${commit.parent}:./${path}`]) : "";
      if (before.includes("\uFFFD") || diff.includes("\uFFFD")) skip("binary");
      else if (findSecret(before, trainFiles.get(path)) || findSecret(diff, trainFiles.get(path))) skip("secret");
      else {
        emit({ prompt: commitPrompt(path, before, commit.message), completion: diff, kind: "commit", path });
        pairs++;
      }
    }
    if (pairs > 0) stats.used++;
  }
  return stats;
}

interface CommitInfo {
  parent: string | null;
  message: string;
  files: Array<{ path: string; changedLines: number; binary: boolean }>;
}

async function readCommit(git: SimpleGit, hash: string): Promise<CommitInfo> {
  // -z: "<parents>\0<message>\0\0\n<added>\t<deleted>\t<path>\0..." ("-" counts for binary files).
  const out = await git.raw(["show", "-z", "--numstat", "--no-renames", "--relative", "--format=%P%x00%B%x00", hash, "--", "."]);
  const parts = out.split("\0");
  const parent = (parts[0] ?? "").trim().split(" ")[0] || null;
  const message = (parts[1] ?? "").replace(/\s+$/, "");
  const files: CommitInfo["files"] = [];
  for (const entry of parts.slice(2)) {
    const m = /^\n?(\d+|-)\t(\d+|-)\t([^]*)$/.exec(entry);
    if (!m) continue;
    const binary = m[1] === "-" || m[2] === "-";
    files.push({ path: m[3] as string, binary, changedLines: binary ? 0 : Number(m[1]) + Number(m[2]) });
  }
  return { parent, message, files };
}

/** Each path's section of `git show <hash> -- <paths>`, which is exactly what `git show <hash> -- <path>` prints. */
async function fileDiffs(git: SimpleGit, hash: string, paths: string[]): Promise<Map<string, string>> {
  const out = await git.raw(["show", "--format=", ...DIFF_FLAGS, hash, "--", ...paths]);
  const byHeader = new Map<string, string>();
  // Diff body lines start with " ", "+", "-", "\" or "@": a line starting "diff --git " is a header.
  const sections = out.split(/^(?=diff --git )/m).filter((s) => s.startsWith("diff --git "));
  for (const section of sections) byHeader.set(section.slice(0, section.indexOf("\n")), section);
  const diffs = new Map<string, string>();
  for (const path of paths) {
    const section = byHeader.get(`diff --git a/${path} b/${path}`);
    if (section !== undefined) diffs.set(path, section);
  }
  return diffs;
}

/** Sizes of the paths' blobs in `commit`; a path absent from it (a new file) is absent from the map. */
async function blobSizes(git: SimpleGit, commit: string, paths: string[]): Promise<Map<string, number>> {
  const out = await git.raw(["ls-tree", "-z", "-l", commit, "--", ...paths]);
  const sizes = new Map<string, number>();
  for (const entry of out.split("\0")) {
    // "<mode> blob <object> <size>\t<path>", path relative to the current folder
    const m = /^\d+ blob [0-9a-f]+ +(\d+)\t([^]*)$/.exec(entry);
    if (m) sizes.set(m[2] as string, Number(m[1]));
  }
  return sizes;
}
