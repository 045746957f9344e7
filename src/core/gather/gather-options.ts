// What a gathering can be told, with the defaults of the issue ("Datasets from the workspace").
// The pipeline sets the FIM windows from the preset's context length; the extension maps its
// settings onto `extraCodeExtensions` / `excludedCodeExtensions`.

export interface GatherOptions {
  /** The folder to gather: a git work tree (or a folder inside one), or any folder. */
  repo: string;
  /** The dataset folder to write (OUT/dataset). */
  datasetDir: string;
  /** Folders never listed (the output folder when it lies inside the repository). */
  skipDirs?: string[];
  /** Files larger than this are excluded as too large. */
  maxFileBytes?: number;
  /** Seed of the split and of every sampled span: same repo + same seed = same dataset. */
  seed?: number;
  /** Share of files held out for evaluation, with at least/most these many files. */
  heldoutFraction?: number;
  heldoutMin?: number;
  heldoutMax?: number;
  /** Pretrain records longer than this are split at line boundaries. */
  pretrainChunkChars?: number;
  /** Characters of context before and after a FIM span (cut at line boundaries). */
  fimPrefixChars?: number;
  fimSuffixChars?: number;
  /** One FIM sample per this many characters of a file, at least one, at most fimMaxPerFile. */
  fimCharsPerSample?: number;
  fimMaxPerFile?: number;
  /** Docstring pairs whose function is longer than this are skipped. */
  docstringMaxChars?: number;
  docstringMaxPerFile?: number;
  /** Commit pairs come from the last this-many non-merge commits. */
  commitCount?: number;
  /** A file's change larger than this many lines (added + deleted) makes no pair. */
  commitMaxChangedLines?: number;
  /** A commit touching more files than this is skipped whole (a reformat, a vendoring). */
  commitMaxFiles?: number;
  /** The file before the change, when larger than this, makes no pair. */
  commitMaxBeforeBytes?: number;
  /** Held-out probes per file, at most. */
  probesPerFile?: number;
  /** Extensions (with dot, lower case: ".vue") counted as code besides the built-in list. */
  extraCodeExtensions?: string[];
  /** Built-in extensions not to count as code (".md"). */
  excludedCodeExtensions?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: GatherProgress) => void;
}

export interface GatherProgress {
  /** list: asking git (or walking the folder); scan: judging and writing files; commits: commit pairs. */
  phase: "list" | "scan" | "commits";
  done: number;
  total: number;
  bytes: number;
}

export type ResolvedGatherOptions = Required<Omit<GatherOptions, "signal" | "onProgress">> & Pick<GatherOptions, "signal" | "onProgress">;

export const GATHER_DEFAULTS = {
  maxFileBytes: 1_000_000,
  seed: 1234,
  // A tenth of the files, and at least 7: with up to 16 probes a file, 100 probes or more
  // wherever the repository's files are long enough to hold them.
  heldoutFraction: 0.1,
  heldoutMin: 7,
  heldoutMax: 200,
  pretrainChunkChars: 16_000,
  // About 600 tokens: what a completion request sends, and what fits the CPU presets' contexts.
  fimPrefixChars: 1_600,
  fimSuffixChars: 600,
  fimCharsPerSample: 1_500,
  fimMaxPerFile: 8,
  docstringMaxChars: 6_000,
  docstringMaxPerFile: 20,
  commitCount: 100,
  commitMaxChangedLines: 400,
  commitMaxFiles: 20,
  commitMaxBeforeBytes: 64_000,
  probesPerFile: 16,
} as const;

export function resolveGatherOptions(options: GatherOptions): ResolvedGatherOptions {
  return {
    ...GATHER_DEFAULTS,
    skipDirs: [],
    extraCodeExtensions: [],
    excludedCodeExtensions: [],
    ...stripUndefined(options),
  } as ResolvedGatherOptions;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The options as the manifest records them (no callbacks, no absolute paths). */
export function describeOptions(options: ResolvedGatherOptions): Record<string, unknown> {
  const { repo: _repo, datasetDir: _out, skipDirs: _skip, signal: _signal, onProgress: _progress, ...rest } = options;
  return rest;
}
