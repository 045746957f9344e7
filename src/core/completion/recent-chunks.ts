// Other files the user is working in, as extra context for the repository-level prompt: a ring
// of the last few places edited or left (llama.vscode keeps one of 64-line chunks), each a few
// dozen lines around the cursor. The most recent comes first; one chunk per file, so a file
// edited all day does not crowd out the rest.
import type { RepoFile } from "./repo-prompt";

export interface RecentChunksOptions {
  /** Files remembered. */
  maxFiles: number;
  /** Lines kept around the place, half above and half below. */
  linesPerChunk: number;
}

export const DEFAULT_RECENT_CHUNKS: RecentChunksOptions = { maxFiles: 8, linesPerChunk: 32 };

export class RecentChunks {
  private chunks: RepoFile[] = [];

  constructor(private readonly options: RecentChunksOptions = DEFAULT_RECENT_CHUNKS) {}

  /** The lines of `lines` around the 0-based `line` of `path` become its chunk, now the most recent. */
  note(path: string, line: number, lines: (from: number, to: number) => string, lineCount: number): void {
    const half = Math.floor(this.options.linesPerChunk / 2);
    const from = Math.max(0, Math.min(line - half, lineCount - this.options.linesPerChunk));
    const to = Math.min(lineCount, from + this.options.linesPerChunk);
    const text = lines(from, to);
    this.forget(path);
    if (text.trim() === "") return;
    this.chunks.unshift({ path, text });
    this.chunks.length = Math.min(this.chunks.length, this.options.maxFiles);
  }

  forget(path: string): void {
    this.chunks = this.chunks.filter((c) => c.path !== path);
  }

  /** The chunks of files other than `current`, most recent first. */
  files(current: string): RepoFile[] {
    return this.chunks.filter((c) => c.path !== current);
  }
}
