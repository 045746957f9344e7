// The JSON Lines store: whole lines out, whatever the buffering; lines read back one at a
// time, whatever their length; anything that is not a whole line reported, never parsed.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { appendJsonlRecord, JsonlAppender } from "../../../src/core/store/jsonl-appender";
import { describeReadProblems, emptyReadReport, readJsonlFile, readJsonlRecords } from "../../../src/core/store/jsonl-reader";

describe("JSON Lines store", () => {
  const dir = mkdtempSync(join(tmpdir(), "repotune-jsonl-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const file = () => join(dir, `f${n++}.jsonl`);

  it("writes each record as one line, buffered or not, in order", () => {
    for (const bufferBytes of [0, 100, 1 << 20]) {
      const path = file();
      const appender = JsonlAppender.open(path, { bufferBytes });
      const records = Array.from({ length: 500 }, (_, i) => ({ i, s: "é€😀\n\"".repeat(i % 50) }));
      for (const r of records) appender.append(r);
      appender.close();
      const text = readFileSync(path, "utf8");
      assert.equal(text.split("\n").length, 501);
      assert.deepEqual(readJsonlFile(path).records, records);
      assert.equal(appender.records, 500);
      assert.equal(appender.bytes, Buffer.byteLength(text));
    }
  });

  it("truncates when asked, appends otherwise", () => {
    const path = file();
    appendJsonlRecord(path, { a: 1 });
    appendJsonlRecord(path, { a: 2 });
    assert.equal(readJsonlFile(path).records.length, 2);
    const again = JsonlAppender.open(path, { truncate: true });
    again.append({ a: 3 });
    again.close();
    assert.deepEqual(readJsonlFile(path).records, [{ a: 3 }]);
  });

  it("refuses what is not one line of JSON", () => {
    const appender = JsonlAppender.open(file());
    assert.throws(() => appender.append(undefined));
    assert.throws(() => appender.appendJson('{"a":\n1}'));
    appender.close();
    assert.throws(() => appender.append({}));
  });

  it("reads lines longer than its chunk, CRLF endings, blank lines and a last line without newline", () => {
    const path = file();
    const long = "y".repeat(3 << 20);
    writeFileSync(path, `{"long":"${long}"}\r\n\n{"b":2}\n   \n{"c":3}`);
    const report = emptyReadReport(path);
    const lines = [...readJsonlRecords<Record<string, unknown>>(path, report)];
    assert.deepEqual(lines.map((l) => l.line), [1, 3, 5]);
    assert.equal((lines[0]?.record.long as string).length, long.length);
    assert.deepEqual(lines[2]?.record, { c: 3 });
    assert.equal(report.blankLines, 2);
    assert.equal(report.tornLastLine, null);
    assert.equal(describeReadProblems(report), null);
  });

  it("skips and reports a torn last line and corrupt lines, and reads a missing file as empty", () => {
    const path = file();
    writeFileSync(path, '{"a":1}\n{"broken\n{"b":2}\n{"c":');
    const { records, report } = readJsonlFile(path);
    assert.deepEqual(records, [{ a: 1 }, { b: 2 }]);
    assert.deepEqual(report.corruptLines, [2]);
    assert.deepEqual(report.tornLastLine, { line: 4, bytes: 5 });
    const problems = describeReadProblems(report) ?? "";
    assert.match(problems, /torn last line \(line 4, 5 bytes\)/);
    assert.match(problems, /1 line\(s\) that are not valid JSON \(line 2\)/);
    assert.deepEqual(readJsonlFile(join(dir, "absent.jsonl")).records, []);
  });

  it("starts a new line when the file it appends to has ended mid-line for a while", () => {
    const path = file();
    writeFileSync(path, '{"a":1}\n{"tor');
    const earlier = new Date(Date.now() - 10_000);
    utimesSync(path, earlier, earlier);
    appendJsonlRecord(path, { b: 2 });
    assert.equal(readFileSync(path, "utf8"), '{"a":1}\n{"tor\n{"b":2}\n');
    assert.deepEqual(readJsonlFile(path).records, [{ a: 1 }, { b: 2 }]);
  });

  it("does not start a new line after a line that ended mid-line just now: it may be another writer's", () => {
    const path = file();
    writeFileSync(path, '{"a":1}\n{"tor');
    appendJsonlRecord(path, { b: { c: [1, { d: 2 }] } });
    assert.equal(readFileSync(path, "utf8"), '{"a":1}\n{"tor{"b":{"c":[1,{"d":2}]}}\n');
    const { records, report } = readJsonlFile(path);
    assert.deepEqual(records, [{ a: 1 }, { b: { c: [1, { d: 2 }] } }], "the record after the fragment is kept, nested objects and all");
    assert.deepEqual(report.fragmentLines, [2]);
  });
});
