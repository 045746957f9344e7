// Decides, for one listed path, whether its file goes into the dataset: what it is on disk,
// the path rules, its size, its bytes (binary), its text (file-rules.ts) and duplicates. Files
// are read one at a time into a reused buffer; only a little metadata of each kept file stays.
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { ExcludedFile } from "../store/dataset-manifest";
import { scanBytes } from "./byte-scan";
import { Deduplicator } from "./dedup/deduplicator";
import { judgeContent, judgePath } from "./file-rules";
import { binaryContentRule } from "./filters/binary-content";
import type { CodeLanguages } from "./filters/code-languages";
import { pathParts } from "./filters/path-parts";
import { shebangLanguage } from "./filters/shebang";
import { inspectEntry } from "./list/inspect-entry";
import { decodeUtf8, FileReader } from "./read-file";

export interface KeptFile {
  path: string;
  size: number;
  /** sha1 of the bytes, to notice a file edited before it is read again. */
  digest: string;
  language: string;
}

export type Judgement = { kept: KeptFile; text: string } | { excluded: ExcludedFile };

export class FileJudge {
  private readonly reader: FileReader;
  private readonly dedup = new Deduplicator();
  /** Sizes of the files that passed the path rules. */
  bytesSeen = 0;
  bytesRead = 0;

  constructor(
    private readonly root: string,
    private readonly realRoot: string,
    private readonly maxFileBytes: number,
    private readonly languages: CodeLanguages,
  ) {
    this.reader = new FileReader(maxFileBytes);
  }

  get exactDuplicates(): number {
    return this.dedup.exact;
  }

  get nearDuplicates(): number {
    return this.dedup.nearCount;
  }

  judge(path: string): Judgement {
    const exclude = (reason: ExcludedFile["reason"], detail: string): Judgement => ({ excluded: { path, reason, detail } });
    // The path rules first: most excluded files (build outputs, vendored folders, images) are
    // then never even stat'ed.
    const byPath = judgePath(pathParts(path), this.languages);
    if ("reason" in byPath) return exclude(byPath.reason, byPath.detail);
    const entry = inspectEntry(this.root, this.realRoot, path);
    if (!entry.ok) return exclude(entry.reason, entry.detail);
    this.bytesSeen += entry.size;
    if (entry.size > this.maxFileBytes) return exclude("too-large", `${entry.size} bytes, over the ${this.maxFileBytes}-byte limit`);
    if (entry.size === 0) return exclude("empty", "0 bytes");
    let bytes: Buffer | null;
    try {
      bytes = this.reader.read(join(this.root, path));
    } catch (err) {
      return exclude("unreadable", (err as NodeJS.ErrnoException).code ?? "cannot read");
    }
    if (bytes === null) return exclude("too-large", `grew past the ${this.maxFileBytes}-byte limit while being read`);
    this.bytesRead += bytes.length;
    const binary = binaryContentRule(bytes);
    if (binary) return exclude("binary", binary);
    const scan = scanBytes(bytes);
    if (scan.stats.nonBlank === 0) return exclude("empty", "only whitespace");
    const text = decodeUtf8(bytes);
    const language = byPath.language ?? shebangLanguage(text);
    if (language === null) return exclude("not-code", "no code extension and no #! line naming an interpreter");
    const byContent = judgeContent(text, scan.stats, language);
    if (byContent) return exclude(byContent.reason, byContent.detail);
    const digest = fileDigest(bytes);
    const duplicate = this.dedup.check(path, digest, scan.bins, scan.shingles);
    if (duplicate) return { excluded: duplicate };
    return { kept: { path, size: bytes.length, digest, language }, text };
  }

  /** The text of a kept file read again, or null when it changed since it was judged. */
  reread(file: KeptFile): string | null {
    let bytes: Buffer | null;
    try {
      bytes = this.reader.read(join(this.root, file.path));
    } catch {
      return null;
    }
    return bytes !== null && fileDigest(bytes) === file.digest ? decodeUtf8(bytes) : null;
  }
}

export function fileDigest(bytes: Uint8Array): string {
  return createHash("sha1").update(bytes).digest("hex");
}
