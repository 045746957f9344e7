import { readFile } from "node:fs/promises";

export interface JsonFileRead {
  /** The parsed value; null when the file is missing or not JSON. */
  value: unknown;
  /** What is wrong with a file that is there but unreadable, naming it; null otherwise. */
  problem: string | null;
}

/**
 * A JSON file's value. A file missing by the time it is read (replaced between the stat and the
 * read) is no problem; one that is not JSON is, and the user is told which file it is.
 */
export async function readJsonFile(path: string): Promise<JsonFileRead> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { value: null, problem: code === "ENOENT" ? null : `${path} cannot be read (${code ?? (err as Error).message})` };
  }
  try {
    return { value: JSON.parse(text) as unknown, problem: null };
  } catch (err) {
    const what = text.trim() === "" ? "is empty" : `is not valid JSON (${(err as Error).message.slice(0, 120)})`;
    return { value: null, problem: `${path} ${what}` };
  }
}
