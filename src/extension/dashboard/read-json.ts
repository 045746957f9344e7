import { readFile } from "node:fs/promises";

/** A JSON file's value, or null when it is missing or not JSON (a half-written report). */
export async function readJsonFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as unknown;
  } catch {
    return null;
  }
}
