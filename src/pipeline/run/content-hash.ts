// Content hashes decide whether a stage's inputs changed since it last ran.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** A stable JSON text: object keys sorted, so the same settings always hash the same. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

async function hashFileInto(hash: ReturnType<typeof createHash>, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => listFiles(join(path, name)));
}

/** SHA-256 over settings and the contents (and relative names) of files or folders. */
export async function contentHash(settings: unknown, paths: readonly string[] = []): Promise<string> {
  const hash = createHash("sha256");
  hash.update(stableJson(settings));
  for (const root of paths) {
    hash.update(`\0root:${existsSync(root) ? "present" : "missing"}`);
    if (!existsSync(root)) continue;
    for (const file of listFiles(root)) {
      hash.update(`\0file:${relative(root, file)}\0`);
      await hashFileInto(hash, file);
    }
  }
  return hash.digest("hex");
}
