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

function runWorker(file: string, tag: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", worker, file, tag, String(RECORDS), "3000"], { stdio: ["ignore", "ignore", "inherit"] });
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
});
