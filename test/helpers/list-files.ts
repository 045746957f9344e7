// Every file under a folder (not following links): what a test searches for leaked secrets.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export function listFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(dir);
  return files;
}
