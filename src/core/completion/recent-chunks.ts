// Other files the user is working in, as extra context for the repository-level prompt: a ring
// of the last few places edited or left (llama.vscode keeps one of 64-line chunks). Only the
// place is recorded while typing (a keystroke costs a map update); the lines around it are
// read when a completion asks. The most recent comes first; one place per file, so a file
// edited all day does not crowd out the rest.
export interface RecentPlace {
  path: string;
  /** 0-based line of the last edit or of the cursor when the file was left. */
  line: number;
}

export const DEFAULT_RECENT_FILES = 8;
export const DEFAULT_CHUNK_LINES = 32;

export class RecentPlaces {
  private places: RecentPlace[] = [];

  constructor(private readonly maxFiles = DEFAULT_RECENT_FILES) {}

  /** `line` of `path` is now the most recent place. */
  note(path: string, line: number): void {
    if (this.places[0]?.path === path) {
      this.places[0].line = line;
      return;
    }
    this.forget(path);
    this.places.unshift({ path, line });
    this.places.length = Math.min(this.places.length, this.maxFiles);
  }

  forget(path: string): void {
    this.places = this.places.filter((p) => p.path !== path);
  }

  /** The places in files other than `current`, most recent first. */
  others(current: string): RecentPlace[] {
    return this.places.filter((p) => p.path !== current);
  }
}

/** The lines [from, to) of a chunk around `line`, half above and half below, inside the file. */
export function chunkAround(line: number, lineCount: number, lines = DEFAULT_CHUNK_LINES): { from: number; to: number } {
  const from = Math.max(0, Math.min(line - Math.floor(lines / 2), lineCount - lines));
  return { from, to: Math.min(lineCount, from + lines) };
}
