// Gathering a folder that is not a git repository: walked with its .gitignore files, noted in
// the manifest, no commit pairs, and a link loop or a link out of it changes nothing.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gatherDataset } from "../../../src/core/gather/gather";
import { NothingToGatherError } from "../../../src/core/gather/gather-errors";
import type { PretrainRecord } from "../../../src/core/store/dataset-files";
import { readJsonlFile } from "../../../src/core/store/jsonl-reader";
import { longModule } from "../../fixtures/gather/fixture-repo";

describe("gathering a plain folder", () => {
  let base: string;
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  before(() => {
    base = mkdtempSync(join(tmpdir(), "repotune-folder-"));
    root = join(base, "project");
    write(".gitignore", "generated-here/\n*.tmp\n");
    write("src/main.py", 'def main():\n    """Entry point."""\n    print("hello")\n');
    write("src/lib.ts", longModule(3_000));
    write("src/scratch.tmp.ts", "export const a = 1;\n");
    write("src/notes.tmp", "ignored\n");
    write("generated-here/out.ts", "export const ignored = true;\n");
    mkdirSync(join(base, "elsewhere"));
    writeFileSync(join(base, "elsewhere", "secret.ts"), "export const outside = 1;\n");
    symlinkSync(join(base, "elsewhere"), join(root, "src", "elsewhere"));
    symlinkSync("..", join(root, "src", "parent"));
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  it("walks it, honouring .gitignore, and says it is not a git repository", async () => {
    const out = join(base, "out", "dataset");
    const manifest = await gatherDataset({ repo: root, datasetDir: out });
    assert.deepEqual(manifest.source, { kind: "folder" });
    assert.match(manifest.notes.join("\n"), /not a git repository/);
    const paths = new Set(readJsonlFile<PretrainRecord>(join(out, "pretrain.jsonl")).records.map((r) => r.path));
    for (const p of manifest.split.heldoutPaths) paths.add(p);
    assert.deepEqual([...paths].sort(), [".gitignore", "src/lib.ts", "src/main.py", "src/scratch.tmp.ts"]);
    const reasons = Object.fromEntries(manifest.excluded.map((e) => [e.path, e.reason]));
    // A link to the folder itself is a loop for anything that follows it.
    assert.deepEqual(reasons, { "src/elsewhere": "symlink-outside-repo", "src/parent": "symlink-loop" });
    assert.equal(manifest.counts.commit, 0);
  });

  it("says there is nothing to gather in an empty folder or a missing one", async () => {
    mkdirSync(join(base, "empty"));
    await assert.rejects(gatherDataset({ repo: join(base, "empty"), datasetDir: join(base, "o1") }), NothingToGatherError);
    await assert.rejects(gatherDataset({ repo: join(base, "missing"), datasetDir: join(base, "o2") }), /is not a folder/);
  });
});
