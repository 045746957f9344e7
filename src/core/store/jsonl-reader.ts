// Reads JSON Lines written by JsonlAppender (or by anything else: TRL, a hand edit). A writer
// killed mid-append can leave a last line without its newline; that line is skipped and
// reported, never parsed as a record. A torn fragment that later appends buried mid-file is
// skipped and reported the same way: on a line of its own when it was old by the time of the next
// append (JsonlAppender then starts a new line), else at the start of the next record's line,
// which is kept (jsonl-line.ts).
import * as fs from "node:fs";
import { parseJsonLine } from "./jsonl-line";

export interface JsonlReadReport {
  path: string;
  /** Lines that parsed as JSON. */
  records: number;
  /** Empty or blank lines, skipped silently. */
  blankLines: number;
  /** The last line, when it has no newline and is not valid JSON: a writer stopped mid-append. */
  tornLastLine: { line: number; bytes: number } | null;
  /** 1-based numbers of other lines that are not valid JSON (torn appends followed by others). */
  corruptLines: number[];
  /** 1-based numbers of lines that began with the fragment of an interrupted append; the whole record after it was kept. */
  fragmentLines: number[];
}

export interface JsonlLine<T> {
  record: T;
  /** 1-based line number in the file. */
  line: number;
}

export function emptyReadReport(path: string): JsonlReadReport {
  return { path, records: 0, blankLines: 0, tornLastLine: null, corruptLines: [], fragmentLines: [] };
}

const CHUNK_BYTES = 1 << 20;

/**
 * Yields the records of a JSON Lines file one at a time, reading it in 1 MB chunks, so memory
 * stays bounded by the longest line whatever the file's size. `report` is filled in as the
 * file is read and is complete when the iteration ends. A missing file reads as empty.
 */
export function* readJsonlRecords<T = unknown>(path: string, report: JsonlReadReport = emptyReadReport(path)): Generator<JsonlLine<T>> {
  let fd: number;
  try {
    fd = fs.openSync(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry: Buffer | null = null; // bytes of a line that continues in the next chunk
    let lineNo = 0;
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      const data: Buffer = carry ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      carry = null;
      let start = 0;
      for (let nl = data.indexOf(0x0a, start); nl !== -1; nl = data.indexOf(0x0a, start)) {
        lineNo++;
        const parsed = parseLine<T>(data, start, nl, lineNo, report);
        if (parsed !== undefined) yield parsed;
        start = nl + 1;
      }
      if (start < data.length) {
        // Copy: `chunk` is reused by the next read.
        carry = Buffer.from(data.subarray(start));
      }
    }
    if (carry && carry.length > 0) {
      lineNo++;
      const text = carry.toString("utf8");
      if (text.trim() === "") report.blankLines++;
      else {
        const record = parseJsonLine<T>(text);
        if (record === undefined || record.fragmentLength > 0) report.tornLastLine = { line: lineNo, bytes: carry.length };
        else {
          // Valid JSON without its newline: complete, if unusual (a file written by hand).
          report.records++;
          yield { record: record.value, line: lineNo };
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

function parseLine<T>(data: Buffer, start: number, end: number, lineNo: number, report: JsonlReadReport): JsonlLine<T> | undefined {
  // Tolerate CRLF files written on Windows by other tools.
  const stop = end > start && data[end - 1] === 0x0d ? end - 1 : end;
  const text = data.toString("utf8", start, stop);
  if (text.trim() === "") {
    report.blankLines++;
    return undefined;
  }
  const parsed = parseJsonLine<T>(text);
  if (parsed === undefined) {
    report.corruptLines.push(lineNo);
    return undefined;
  }
  if (parsed.fragmentLength > 0) report.fragmentLines.push(lineNo);
  report.records++;
  return { record: parsed.value, line: lineNo };
}

/** Reads a whole (small) JSON Lines file into memory. */
export function readJsonlFile<T = unknown>(path: string): { records: T[]; report: JsonlReadReport } {
  const report = emptyReadReport(path);
  const records: T[] = [];
  for (const { record } of readJsonlRecords<T>(path, report)) records.push(record);
  return { records, report };
}

/** What a user should be told about a file that was not read cleanly; null when it was. */
export function describeReadProblems(report: JsonlReadReport): string | null {
  const parts: string[] = [];
  if (report.tornLastLine) {
    parts.push(`skipped a torn last line (line ${report.tornLastLine.line}, ${report.tornLastLine.bytes} bytes): a writer stopped in the middle of an append`);
  }
  if (report.corruptLines.length > 0) {
    const shown = report.corruptLines.slice(0, 5).join(", ");
    const more = report.corruptLines.length > 5 ? ` and ${report.corruptLines.length - 5} more` : "";
    parts.push(`skipped ${report.corruptLines.length} line(s) that are not valid JSON (line ${shown}${more})`);
  }
  if (report.fragmentLines.length > 0) {
    const shown = report.fragmentLines.slice(0, 5).join(", ");
    const more = report.fragmentLines.length > 5 ? ` and ${report.fragmentLines.length - 5} more` : "";
    parts.push(`skipped the fragment of an interrupted write at the start of ${report.fragmentLines.length} line(s) and kept the record after it (line ${shown}${more})`);
  }
  return parts.length === 0 ? null : `${report.path}: ${parts.join("; ")}`;
}

/** Just the records of a JSONL file; what was skipped goes into `reports` when given. */
export function* readRecords<T>(path: string, reports?: JsonlReadReport[]): Generator<T> {
  const report = emptyReadReport(path);
  for (const { record } of readJsonlRecords<T>(path, report)) yield record;
  reports?.push(report);
}
