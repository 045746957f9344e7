// Splits a repository-relative path once for all the path rules (posix separators, as git
// prints them and as the folder walker produces them).

export interface PathParts {
  path: string;
  /** The file name, original case. */
  name: string;
  /** The file name in lower case. */
  lowerName: string;
  /** The extension in lower case with its dot (".ts"), "" when none; ".d.ts" counts as ".ts". */
  extension: string;
  /** The folders above the file, original case. */
  folders: string[];
}

export function pathParts(path: string): PathParts {
  const slash = path.lastIndexOf("/");
  const name = path.slice(slash + 1);
  const lowerName = name.toLowerCase();
  const dot = lowerName.lastIndexOf(".");
  return {
    path,
    name,
    lowerName,
    extension: dot > 0 ? lowerName.slice(dot) : "",
    folders: slash === -1 ? [] : path.slice(0, slash).split("/"),
  };
}
