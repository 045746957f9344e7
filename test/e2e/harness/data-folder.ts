// What RepoTune wrote into its data folder. The tests point `repotune.dataFolder` at a folder
// of the session; RepoTune keeps one subfolder per workspace folder in it (data-folder.ts),
// holding runs/<id>/, active.json, feedback/events.jsonl and dataset/preferences.jsonl.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** The workspace folder's data folder under the `repotune.dataFolder` base, once it exists. */
export function workspaceDataFolder(base: string): string | undefined {
  if (!existsSync(base)) return undefined;
  const folders = readdirSync(base).filter((n) => statSync(join(base, n)).isDirectory());
  if (folders.length > 1) throw new Error(`expected one workspace folder's data in ${base}, found ${folders.join(", ")}`);
  return folders[0] === undefined ? undefined : join(base, folders[0]);
}

/** The records of a JSON Lines file ([] while it does not exist); a torn last line is skipped. */
export function readJsonl<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.trim());
  const records: T[] = [];
  lines.forEach((line, i) => {
    try {
      records.push(JSON.parse(line) as T);
    } catch (err) {
      if (i < lines.length - 1) throw new Error(`${file}:${i + 1} is not JSON: ${(err as Error).message}`, { cause: err });
    }
  });
  return records;
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}
