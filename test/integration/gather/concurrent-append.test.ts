// Two processes append 10,000 records each to one JSON Lines file at the same time: every line
// must parse, each writer's records must all be there, in its order, none interleaved.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { readJsonlFile } from "../../../src/core/store/jsonl-reader";

const worker = fileURLToPath(new URL("../../fixtures/gather/append-worker.ts", import.meta.url));
const RECORDS = 10_000;

function runWorker(file: string, tag: string, options: { records?: number; pad?: number; reopen?: boolean } = {}): Promise<number | null> {
  const args = [worker, file, tag, String(options.records ?? RECORDS), String(options.pad ?? 3000), ...(options.reopen ? ["reopen"] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", ...args], { stdio: ["ignore", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code));
  });
}

describe("JsonlAppender shared by two processes", () => {
  const dir = mkdtempSync(join(tmpdir(), "repotune-append-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("never interleaves lines: 2 x 10,000 records, all whole, all counted, each writer in order", async () => {
    const file = join(dir, "shared.jsonl");
    const codes = await Promise.all([runWorker(file, "a"), runWorker(file, "b")]);
    assert.deepEqual(codes, [0, 0]);
    const { records, report } = readJsonlFile<{ tag: string; seq: number; text: string }>(file);
    assert.equal(report.tornLastLine, null);
    assert.deepEqual(report.corruptLines, []);
    assert.equal(report.blankLines, 0);
    assert.equal(records.length, 2 * RECORDS);
    for (const tag of ["a", "b"]) {
      const seqs = records.filter((r) => r.tag === tag).map((r) => r.seq);
      assert.equal(seqs.length, RECORDS);
      assert.deepEqual(seqs, Array.from({ length: RECORDS }, (_, i) => i), `writer ${tag}'s records are out of order or missing`);
    }
    for (const r of records) assert.ok(r.text.startsWith(`line "${r.seq}"\n\t`) && r.text.endsWith("é"));
  });

  // A shared log is opened for every record. Opening looks at the last byte to mend a torn line;
  // records of up to 9 kB span pages, which another writer's append fills one at a time, so
  // this catches a check that takes a line still being written for a torn one.
  it("opening while another process is mid-append adds no blank line: 3 x 2,000 records, reopened each time", async () => {
    const file = join(dir, "reopened.jsonl");
    const count = 2000;
    const codes = await Promise.all(["a", "b", "c"].map((tag) => runWorker(file, tag, { records: count, pad: 9000, reopen: true })));
    assert.deepEqual(codes, [0, 0, 0]);
    const { records, report } = readJsonlFile<{ tag: string; seq: number }>(file);
    assert.equal(report.blankLines, 0, "a line still being written was taken for a torn one");
    assert.deepEqual(report.fragmentLines, [], "no writer was killed, so no line holds a fragment");
    assert.deepEqual(report.corruptLines, []);
    assert.equal(records.length, 3 * count);
  });
});
