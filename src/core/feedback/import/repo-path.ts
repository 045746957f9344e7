// Where another tool's log says a suggestion was made, as a path of this repository: the
// logs name files by absolute path or file:// URI (Continue, Tabby outside a workspace); a
// file outside the repository is another repository's, and its records are not ours.
import { isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** A workspace-relative path with forward slashes, or null when the file is not in the repository (or the path is not absolute). */
export function repoPath(filepath: string, repo: string): string | null {
  let path = filepath;
  if (/^file:\/\//.test(path)) {
    try {
      path = fileURLToPath(path);
    } catch {
      return null;
    }
  }
  if (!isAbsolute(path)) return null;
  const rel = relative(resolve(repo), resolve(path));
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return null;
  return rel.split(sep).join("/");
}

/** A path the log gives relative to some root, made ours: forward slashes, nothing that climbs out; null when it would. */
export function relativeRepoPath(filepath: string): string | null {
  const parts = filepath.replace(/\\/g, "/").split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.includes("..") || /^[A-Za-z]:$/.test(parts[0]!)) return null;
  return parts.join("/");
}
