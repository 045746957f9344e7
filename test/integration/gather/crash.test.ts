// A writer killed in the middle of appending loses at most the line it was writing, and the
// reader says so. The next writer starts on a fresh line when the tear is old; a fresh tear may be
// another process's append in progress, so the record then follows the fragment, and is kept.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, truncateSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { JsonlAppender } from "../../../src/core/store/jsonl-appender";
import { describeReadProblems, readJsonlFile } from "../../../src/core/store/jsonl-reader";

const worker = fileURLToPath(new URL("../../fixtures/gather/append-worker.ts", import.meta.url));
type Rec = { tag: string; seq: number; text: string };

/** Starts a writer of large records and kills it (SIGKILL) after `acks` acknowledged appends. */
function killWriterAfter(file: string, acks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    // 2 MB records: writing one takes long enough that a kill often lands inside the write.
    const child = spawn(process.execPath, ["--import", "tsx", worker, file, "w", "100000", String(2 << 20), "ack"], { stdio: ["ignore", "pipe", "inherit"] });
    let acked = -1;
    let buffered = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) acked = Number(line);
      if (acked + 1 >= acks) child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("exit", (_code, signal) => (signal === "SIGKILL" ? resolve(acked) : reject(new Error(`the writer ended by itself (${String(signal)})`))));
  });
}

describe("a writer killed mid-append", () => {
  const dir = mkdtempSync(join(tmpdir(), "repotune-crash-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("loses nothing it acknowledged, at most the line in flight, and the reader reports a torn tail", async () => {
    const file = join(dir, "killed.jsonl");
    const acked = await killWriterAfter(file, 12);
    const { records, report } = readJsonlFile<Rec>(file);
    assert.deepEqual(report.corruptLines, []);
    const seqs = records.map((r) => r.seq);
    // Every acknowledged record, in order; the one being written may or may not have made it.
    assert.ok(seqs.length === acked + 1 || seqs.length === acked + 2, `${seqs.length} records for ${acked + 1} acknowledged`);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i));
    const bytes = readFileSync(file);
    const endsWhole = bytes.length === 0 || bytes[bytes.length - 1] === 0x0a;
    assert.equal(report.tornLastLine !== null, !endsWhole, "a torn tail is reported exactly when there is one");
    if (!endsWhole) assert.match(describeReadProblems(report) ?? "", /torn last line/);
  });

  /** Five records, the last cut in half as a write interrupted by a kill or a full disk leaves it. */
  function tornFile(name: string): { file: string; size: number } {
    const file = join(dir, name);
    const appender = JsonlAppender.open(file);
    for (let seq = 0; seq < 5; seq++) appender.append({ tag: "t", seq, text: "x".repeat(100) });
    appender.close();
    const size = statSync(file).size;
    truncateSync(file, size - 60);
    return { file, size };
  }

  it("reports a tail torn mid-line, and the next append after a while starts a new line", () => {
    const { file, size } = tornFile("torn.jsonl");
    const torn = readJsonlFile<Rec>(file);
    assert.deepEqual(torn.records.map((r) => r.seq), [0, 1, 2, 3]);
    assert.equal(torn.report.tornLastLine?.line, 5);
    assert.equal(torn.report.tornLastLine?.bytes, size - 60 - readFileSync(file, "utf8").lastIndexOf("\n") - 1);
    assert.match(describeReadProblems(torn.report) ?? "", /skipped a torn last line \(line 5/);

    // The writer died a minute ago.
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(file, aMinuteAgo, aMinuteAgo);
    const next = JsonlAppender.open(file);
    next.append({ tag: "t", seq: 5, text: "after the crash" });
    next.close();
    const after = readJsonlFile<Rec>(file);
    assert.deepEqual(after.records.map((r) => r.seq), [0, 1, 2, 3, 5]);
    assert.equal(after.report.tornLastLine, null);
    assert.deepEqual(after.report.corruptLines, [5], "the fragment stays a line of its own, reported");
    assert.deepEqual(after.report.fragmentLines, []);
    closeSync(openSync(file, "r"));
  });

  it("keeps the record appended right after a fresh tear, and reports the fragment before it", () => {
    const { file } = tornFile("fresh-tear.jsonl");
    const next = JsonlAppender.open(file);
    next.append({ tag: "t", seq: 5, text: "right after the crash" });
    next.close();
    const { records, report } = readJsonlFile<Rec>(file);
    assert.deepEqual(records.map((r) => r.seq), [0, 1, 2, 3, 5]);
    assert.equal(records[4]?.text, "right after the crash");
    assert.deepEqual(report.corruptLines, []);
    assert.deepEqual(report.fragmentLines, [5]);
    assert.equal(report.blankLines, 0);
    assert.match(describeReadProblems(report) ?? "", /fragment of an interrupted write at the start of 1 line\(s\) and kept the record after it \(line 5\)/);
  });
});
