// Listing a folder that is not a git repository: .gitignore rules as git applies them, links
// never followed (out of the folder or in a loop), nested repositories reported.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GitIgnore } from "../../../src/core/gather/list/gitignore";
import { walkFolder } from "../../../src/core/gather/list/folder-walk";
import { inspectEntry } from "../../../src/core/gather/list/inspect-entry";

describe("GitIgnore", () => {
  const rules = new GitIgnore(["# comment", "", "*.log", "!keep.log", "build/", "/root-only.txt", "docs/**/*.tmp", "**/cache", "a?c", "[xy].js", "\\#hash"].join("\n"));
  const cases: Array<[string, boolean, boolean | undefined]> = [
    ["debug.log", false, true],
    ["deep/dir/trace.log", false, true],
    ["keep.log", false, false],
    ["build", true, true],
    ["build", false, undefined], // "build/" matches folders only
    ["src/build", true, true],
    ["root-only.txt", false, true],
    ["sub/root-only.txt", false, undefined],
    ["docs/a/b/c.tmp", false, true],
    ["docs/c.tmp", false, true],
    ["other/c.tmp", false, undefined],
    ["x/y/cache", true, true],
    ["abc", false, true],
    ["abbc", false, undefined],
    ["x.js", false, true],
    ["z.js", false, undefined],
    ["#hash", false, true],
  ];
  for (const [path, isDir, expected] of cases) {
    it(`${path}${isDir ? "/" : ""} -> ${String(expected)}`, () => assert.equal(rules.verdict(path, isDir), expected));
  }
});

describe("walkFolder", () => {
  let base: string;
  let root: string;
  const write = (path: string, text = "x\n") => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  before(() => {
    base = mkdtempSync(join(tmpdir(), "repotune-walk-"));
    root = join(base, "folder");
    write(".gitignore", "*.log\nignored-dir/\n");
    write("src/a.ts");
    write("src/app.log");
    write("src/.gitignore", "local.ts\n!important.log\n");
    write("src/local.ts");
    write("src/important.log");
    write("ignored-dir/b.ts");
    write("nested/.git/HEAD", "ref: refs/heads/main\n");
    write("nested/c.ts");
    write(".git/config", "");
    mkdirSync(join(base, "outside"));
    write("../outside/secret.ts");
    symlinkSync(join(base, "outside"), join(root, "link-out"));
    symlinkSync(join(base, "outside", "secret.ts"), join(root, "src/link-out.ts"));
    symlinkSync(".", join(root, "src/self"));
    symlinkSync("loop2", join(root, "loop1"));
    symlinkSync("loop1", join(root, "loop2"));
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  it("lists files that no .gitignore excludes, with nested .gitignore files scoped to their folder", () => {
    const listing = walkFolder(root, []);
    assert.equal(listing.source, "folder");
    assert.match(listing.notes.join(" "), /not a git repository/);
    const files = listing.paths.filter((p) => !["link-out", "loop1", "loop2", "src/link-out.ts", "src/self"].includes(p));
    assert.deepEqual(files.sort(), [".gitignore", "src/.gitignore", "src/a.ts", "src/important.log"]);
    assert.deepEqual(listing.excluded, [{ path: "nested", reason: "submodule", detail: "nested git repository" }]);
  });

  it("lists links as entries without entering them, and inspection names what they are", () => {
    const listing = walkFolder(root, []);
    for (const link of ["link-out", "loop1", "loop2", "src/link-out.ts", "src/self"]) assert.ok(listing.paths.includes(link), link);
    const real = root;
    assert.deepEqual(inspectEntry(root, real, "link-out"), { ok: false, reason: "symlink-outside-repo", detail: "points outside the repository" });
    assert.equal((inspectEntry(root, real, "src/link-out.ts") as { reason: string }).reason, "symlink-outside-repo");
    assert.equal((inspectEntry(root, real, "loop1") as { reason: string }).reason, "symlink-loop");
    assert.equal((inspectEntry(root, real, "src/self") as { reason: string }).reason, "symlink");
    assert.deepEqual(inspectEntry(root, real, "src/a.ts"), { ok: true, size: 2 });
    assert.equal((inspectEntry(root, real, "gone.ts") as { reason: string }).reason, "missing");
  });

  it("skips the folders it is told to (the output folder inside the repository)", () => {
    write(".repotune/dataset/pretrain.jsonl", "{}\n");
    assert.ok(!walkFolder(root, [".repotune"]).paths.some((p) => p.startsWith(".repotune")));
  });
});
