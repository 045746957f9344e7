import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { writeAllSync, writeFileAtomic, writeFileAtomicSync } from "../../../../src/core/fs/atomic-write";

function tempDir(): string {
  return fs.mkdtempSync(join(tmpdir(), "repotune-atomic-"));
}

describe("atomic write", () => {
  it("creates and replaces a file, leaving no temporary file behind", async () => {
    const dir = tempDir();
    const path = join(dir, "a.json");
    writeFileAtomicSync(path, "one");
    assert.equal(fs.readFileSync(path, "utf8"), "one");
    writeFileAtomicSync(path, new Uint8Array([116, 119, 111]));
    assert.equal(fs.readFileSync(path, "utf8"), "two");
    await writeFileAtomic(path, "three");
    assert.equal(fs.readFileSync(path, "utf8"), "three");
    writeFileAtomicSync(path, (fd) => {
      writeAllSync(fd, Buffer.from("fo"));
      writeAllSync(fd, Buffer.from("ur"));
    });
    assert.equal(fs.readFileSync(path, "utf8"), "four");
    assert.deepEqual(fs.readdirSync(dir), ["a.json"]);
  });

  it("keeps the old file intact and removes the temporary file when writing fails", () => {
    const dir = tempDir();
    const path = join(dir, "model.bin");
    writeFileAtomicSync(path, "old contents");
    assert.throws(
      () =>
        writeFileAtomicSync(path, (fd) => {
          writeAllSync(fd, Buffer.from("half of the new"));
          throw new Error("disk full");
        }),
      /disk full/,
    );
    assert.equal(fs.readFileSync(path, "utf8"), "old contents");
    assert.deepEqual(fs.readdirSync(dir), ["model.bin"]);
  });

  it("fails when the folder does not exist, creating nothing", async () => {
    const dir = tempDir();
    assert.throws(() => writeFileAtomicSync(join(dir, "missing", "x"), "x"), { code: "ENOENT" });
    await assert.rejects(writeFileAtomic(join(dir, "missing", "x"), "x"), { code: "ENOENT" });
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
