// The dashboard's tail reader keeps its memory bounded: it reads a long log 8 MB at a time and
// says there is more, and a line that never ends (a file that is not a log) is dropped as one
// bad line instead of being held whole.
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { JsonlTail } from "../../../src/extension/dashboard/feed/jsonl-tail";

const dir = mkdtempSync(join(tmpdir(), "repotune-tail-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("JsonlTail bounds", () => {
  it("reads a 20 MB log in several reads, saying there is more until it has caught up, losing no line", async () => {
    const file = join(dir, "long.jsonl");
    const line = `${JSON.stringify({ pad: "x".repeat(990) })}\n`;
    writeFileSync(file, line.repeat(20_000));
    const tail = new JsonlTail(file);
    let records = 0;
    let reads = 0;
    for (let more = true; more; reads++) {
      const chunk = await tail.read();
      records += chunk.records.length;
      more = chunk.more;
    }
    assert.equal(records, 20_000);
    assert.ok(reads >= 3, `${reads} reads`);
  });

  it("drops a line that grows past 16 MB as one bad line, and reads the lines after it", async () => {
    const file = join(dir, "garbage.jsonl");
    writeFileSync(file, `${JSON.stringify({ a: 1 })}\n`);
    appendFileSync(file, "y".repeat(17 * 1024 * 1024));
    appendFileSync(file, `\n${JSON.stringify({ b: 2 })}\n`);
    const tail = new JsonlTail(file);
    const seen: unknown[] = [];
    let malformed = 0;
    for (let more = true; more; ) {
      const chunk = await tail.read();
      seen.push(...chunk.records);
      malformed += chunk.malformed;
      more = chunk.more;
    }
    assert.deepEqual(seen, [{ a: 1 }, { b: 2 }]);
    assert.equal(malformed, 1);
  });
});
