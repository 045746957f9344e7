// Fuzzing the JSON Lines readers: the dataset and log reader (core/store/jsonl-reader.ts) and the
// dashboard's tail of a growing events.jsonl (feed/jsonl-tail.ts). Any bytes read without an
// exception, every line is accounted for (a record, blank, corrupt or the torn last one), the
// 1 MB chunks and the tail's reads never change what is read, and each file is read quickly.
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { describeReadProblems, emptyReadReport, readJsonlRecords, type JsonlReadReport } from "../../../src/core/store/jsonl-reader";
import { JsonlTail } from "../../../src/extension/dashboard/feed/jsonl-tail";
import { checkReader, hexHead, mutatedBytes, newStats, SEED } from "./harness";

const dir = mkdtempSync(join(tmpdir(), "repotune-fuzz-jsonl-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, "events.jsonl");

interface Expected {
  records: unknown[];
  blank: number;
  corrupt: number[];
  torn: { line: number; bytes: number } | null;
  fragments: number[];
}

/** What the file holds, line by line, worked out the simple way (the whole file in memory). */
function expected(bytes: Uint8Array): Expected {
  const buf = Buffer.from(bytes);
  const out: Expected = { records: [], blank: 0, corrupt: [], torn: null, fragments: [] };
  const parse = (text: string): { value: unknown } | undefined => {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      return undefined;
    }
  };
  // A line that is not JSON may be a torn fragment with a whole object glued after it: the
  // shortest suffix that opens an object and parses is that object.
  const afterFragment = (text: string): { value: unknown } | undefined => {
    let found: { value: unknown } | undefined;
    for (let i = 1; i < text.length; i++) {
      if (!text.startsWith('{"', i)) continue;
      const p = parse(text.slice(i));
      if (p && typeof p.value === "object" && p.value !== null && !Array.isArray(p.value)) found = p;
    }
    return found;
  };
  let start = 0;
  let line = 0;
  for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, start)) {
    line++;
    const stop = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl;
    const text = buf.toString("utf8", start, stop);
    if (text.trim() === "") out.blank++;
    else {
      const p = parse(text);
      const glued = p ? undefined : afterFragment(text);
      if (p) out.records.push(p.value);
      else if (glued) {
        out.records.push(glued.value);
        out.fragments.push(line);
      } else out.corrupt.push(line);
    }
    start = nl + 1;
  }
  if (start < buf.length) {
    line++;
    const text = buf.toString("utf8", start);
    const p = text.trim() === "" ? undefined : parse(text);
    if (text.trim() === "") out.blank++;
    else if (p) out.records.push(p.value);
    else out.torn = { line, bytes: buf.length - start };
  }
  return out;
}

const stats = newStats();
function check(bytes: Uint8Array): void {
  writeFileSync(path, bytes);
  const report: JsonlReadReport = emptyReadReport(path);
  const records: unknown[] = [];
  checkReader([], () => {
    for (const { record } of readJsonlRecords(path, report)) records.push(record);
  }, () => hexHead(bytes), stats);
  const want = expected(bytes);
  assert.deepEqual(records, want.records);
  assert.equal(report.records, want.records.length);
  assert.equal(report.blankLines, want.blank);
  assert.deepEqual(report.corruptLines, want.corrupt);
  assert.deepEqual(report.tornLastLine, want.torn);
  const problems = describeReadProblems(report);
  assert.deepEqual(report.fragmentLines, want.fragments);
  assert.equal(problems === null, want.corrupt.length === 0 && want.torn === null && want.fragments.length === 0);
  if (problems) assert.ok(problems.startsWith(`${path}: `) && problems.length < 500, problems);
}

const event = fc.record({ v: fc.constant(1), time: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), type: fc.constantFrom("log", "progress"), message: fc.string({ unit: "grapheme", maxLength: 30 }) });
const validJsonl = fc.array(fc.oneof(event.map((e) => JSON.stringify(e)), fc.constantFrom("", " ", "\r")), { minLength: 1, maxLength: 12 }).map((lines) => new TextEncoder().encode(lines.join("\n") + "\n"));

describe("fuzzing the JSON Lines readers", () => {
  it("arbitrary bytes, and lines of arbitrary text", () => {
    const lines = fc.array(fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), fc.json({ maxDepth: 2 }), fc.constantFrom("{", "}", "\r", "null", '"\\ud800"')), { maxLength: 10 });
    const text = fc.tuple(lines, fc.constantFrom("\n", "\r\n"), fc.boolean()).map(([ls, eol, end]) => new TextEncoder().encode(ls.join(eol) + (end ? eol : "")));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), text), (b) => check(b)), { seed: SEED, numRuns: 800 });
  });

  it("valid files with random mutations: torn and corrupt lines, bytes that are not UTF-8", () => {
    fc.assert(fc.property(validJsonl.chain((b) => mutatedBytes(b)), (b) => check(b)), { seed: SEED, numRuns: 800 });
  });

  it("lines that cross the reader's 1 MB chunks, a 3 MB single line, and a last line without its newline", () => {
    const big = fc.array(fc.integer({ min: 1, max: 600_000 }), { minLength: 2, maxLength: 5 }).map((sizes) => {
      const lines = sizes.map((n, i) => JSON.stringify({ i, pad: "é".repeat(n >> 1) }));
      return new TextEncoder().encode(lines.join("\n"));
    });
    fc.assert(fc.property(big, (b) => check(b)), { seed: SEED, numRuns: 6 });
    check(new TextEncoder().encode(JSON.stringify({ one: "x".repeat(3_000_000) }) + "\n"));
  });

  it("the dashboard's tail reads the same records however the writer's appends are cut", async () => {
    const cuts = validJsonl.chain((bytes) => fc.tuple(fc.constant(bytes), fc.uniqueArray(fc.nat({ max: bytes.length }), { maxLength: 6 })));
    await fc.assert(
      fc.asyncProperty(cuts, async ([bytes, at]) => {
        writeFileSync(path, "");
        const tail = new JsonlTail(path);
        const got: unknown[] = [];
        let malformed = 0;
        let from = 0;
        // Appends cut anywhere, even inside a multi-byte character: the tail holds back a partial line.
        for (const cut of [...at.sort((a, b) => a - b), bytes.length]) {
          appendFileSync(path, bytes.subarray(from, cut));
          from = cut;
          const chunk = await tail.read();
          got.push(...chunk.records);
          malformed += chunk.malformed;
        }
        const want = expected(bytes);
        assert.deepEqual(got, want.records);
        assert.equal(malformed, want.corrupt.length);
        assert.equal(tail.pendingPartialLine, false);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  after(() => {
    console.log(`jsonl fuzz: ${stats.inputs} files, slowest ${stats.slowestMs.toFixed(1)} ms`);
  });
});
