// Gathering repositories nobody would design (issue 16 item 3): only binaries, nothing at all,
// 100,000 tiny files, a 10 MB line, text that is not UTF-8 (Latin-1, UTF-16 with and without a
// byte order mark), symbolic link loops, a named pipe. Each gives a manifest in which every
// file has a reason, or a NothingToGatherError that says what to do; never an untyped error,
// never a hang.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { gatherDataset } from "../../../src/core/gather/gather";
import { NothingToGatherError } from "../../../src/core/gather/gather-errors";
import type { DatasetManifest, ExcludedFile } from "../../../src/core/store/dataset-manifest";
import { git } from "../../fixtures/gather/fixture-repo";

const base = mkdtempSync(join(tmpdir(), "repotune-bad-input-"));
const memoryTmp = (() => {
  try {
    return mkdtempSync(join("/dev/shm", "repotune-bad-input-"));
  } catch {
    return base;
  }
})();
after(() => {
  rmSync(base, { recursive: true, force: true });
  rmSync(memoryTmp, { recursive: true, force: true });
});
let count = 0;

/** A fresh folder with these files (a Buffer is written as is). */
function folder(files: Record<string, string | Buffer>): string {
  const root = join(base, `r${count++}`);
  mkdirSync(root, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const GOOD = "export function add(a: number, b: number): number {\n  return a + b;\n}\n";

async function gather(repo: string, extra: { maxFileBytes?: number } = {}): Promise<DatasetManifest> {
  return gatherDataset({ repo, datasetDir: join(base, `out${count++}`), ...extra });
}

/** The gathering fails with NothingToGatherError, whose message says what to do; returns it. */
async function nothingToGather(repo: string): Promise<NothingToGatherError> {
  try {
    await gather(repo);
  } catch (err) {
    assert.ok(err instanceof NothingToGatherError, `a NothingToGatherError, got ${String(err)}`);
    return err;
  }
  assert.fail("gathered something");
}

function reasonOf(manifest: DatasetManifest, path: string): ExcludedFile {
  const e = manifest.excluded.find((x) => x.path === path);
  assert.ok(e, `${path} is listed as excluded; excluded: ${JSON.stringify(manifest.excluded)}`);
  return e;
}

/** Every file seen is either kept or excluded with a reason and a detail. */
function accountedFor(manifest: DatasetManifest): void {
  assert.equal(manifest.files.kept + manifest.files.excluded, manifest.files.seen);
  for (const e of manifest.excluded) assert.ok(e.reason && e.detail, `${e.path} has a reason and a detail`);
}

const utf16 = (text: string, order: "le" | "be", bom: boolean): Buffer => {
  const body = Buffer.from(text, "utf16le");
  if (order === "be") body.swap16();
  const mark = order === "le" ? [0xff, 0xfe] : [0xfe, 0xff];
  return bom ? Buffer.concat([Buffer.from(mark), body]) : body;
};

describe("gathering bad input", { timeout: 120_000 }, () => {
  it("a repository of only binaries: nothing to gather, every file with its reason, and what to do", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const repo = folder({ "logo.png": png, "lib/native.so": Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]), "data.bin": Buffer.alloc(64, 0), "tool.ts": Buffer.from([0x65, 0x78, 0, 0xff, 0x00, 0x01]) });
    const err = await nothingToGather(repo);
    assert.match(err.message, /has nothing usable: all 4 files were excluded \(binary \d+.*\)\. RepoTune learns from source code: the manifest lists each file/);
    assert.ok(err.manifest, "the manifest of what was found comes with the error");
    accountedFor(err.manifest);
    assert.equal(reasonOf(err.manifest, "tool.ts").reason, "binary");
    assert.match(reasonOf(err.manifest, "tool.ts").detail ?? "", /NUL byte at offset 2/);
  });

  it("an empty folder, an empty git repository, one with only ignored files: nothing to gather, and what to do", async () => {
    assert.match((await nothingToGather(folder({}))).message, /has no files to learn from \(an empty folder\): add the project's source files/);
    const repo = folder({});
    git(repo, "init", "-q");
    assert.match((await nothingToGather(repo)).message, /git lists none: an empty repository, or everything is ignored\): add the project's source files \(committed, or at least not ignored\)/);
    const ignored = folder({ ".gitignore": "*\n", "a.ts": GOOD });
    git(ignored, "init", "-q");
    assert.match((await nothingToGather(ignored)).message, /has no files to learn from/);
  });

  it("100,000 tiny files: every one accounted for, in well under a minute", async () => {
    // Made in memory where there is a tmpfs: on a busy disk, creating 100,000 inodes alone can
    // take most of a minute, and that measures the disk, not the gathering.
    const root = join(memoryTmp, `r${count++}`);
    const started = Date.now();
    for (let d = 0; d < 100; d++) {
      mkdirSync(join(root, `d${d}`), { recursive: true });
      for (let i = d * 1000; i < (d + 1) * 1000; i++) writeFileSync(join(root, `d${d}`, `f${i}.ts`), `export const v${i} = ${(i * 7919) % 100_003};\n`);
    }
    const made = Date.now();
    const manifest = await gather(root);
    const seconds = (Date.now() - made) / 1000;
    console.log(`100,000 files: made in ${((made - started) / 1000).toFixed(1)} s, gathered in ${seconds.toFixed(1)} s`);
    assert.equal(manifest.files.seen, 100_000);
    accountedFor(manifest);
    assert.ok(manifest.counts.pretrain + manifest.counts.heldout > 90_000, "tiny files are still code");
    assert.ok(seconds < 45, `gathered in ${seconds} s`);
  });

  it("a 10 MB single-line file: too large by default, minified when the limit lets it be read, and quickly", async () => {
    const line = `const blob = "${"a1b2c3d4".repeat(10 * 2 ** 17)}";\n`;
    const repo = folder({ "src/main.ts": GOOD, "dist/bundle.js": line, "src/huge.ts": line });
    const manifest = await gather(repo);
    accountedFor(manifest);
    assert.equal(reasonOf(manifest, "src/huge.ts").reason, "too-large");
    const started = Date.now();
    const read = await gather(repo, { maxFileBytes: 20_000_000 });
    assert.ok(Date.now() - started < 20_000, "a 10 MB line is judged in seconds");
    assert.equal(reasonOf(read, "src/huge.ts").reason, "minified");
    assert.match(reasonOf(read, "src/huge.ts").detail ?? "", /line/);
  });

  it("Latin-1, UTF-16 with and without a byte order mark: left out, naming the encoding", async () => {
    const text = "def greet(name):\n    return 'hello ' + name\n";
    const repo = folder({
      "src/main.ts": GOOD,
      "latin1.py": Buffer.concat([Buffer.from("name = 'caf"), Buffer.from([0xe9]), Buffer.from("'\nprint(name)\n")]),
      "le-bom.py": utf16(text, "le", true),
      "be-bom.py": utf16(text, "be", true),
      "le.py": utf16(text, "le", false),
      "be.py": utf16(text, "be", false),
      "cut.py": Buffer.concat([Buffer.from("x = '"), Buffer.from([0xe2, 0x82])]), // a character cut short at the end
    });
    const manifest = await gather(repo);
    accountedFor(manifest);
    assert.match(reasonOf(manifest, "latin1.py").detail ?? "", /^invalid UTF-8 at byte 11 \(0xe9\): another encoding such as Latin-1/);
    assert.match(reasonOf(manifest, "cut.py").detail ?? "", /^invalid UTF-8 at byte 5/);
    assert.match(reasonOf(manifest, "le-bom.py").detail ?? "", /^UTF-16LE text \(with a byte order mark\), not UTF-8: convert it/);
    assert.match(reasonOf(manifest, "be-bom.py").detail ?? "", /^UTF-16BE text \(with a byte order mark\)/);
    assert.match(reasonOf(manifest, "le.py").detail ?? "", /^UTF-16LE text, not UTF-8/);
    assert.match(reasonOf(manifest, "be.py").detail ?? "", /^UTF-16BE text, not UTF-8/);
    for (const p of ["latin1.py", "le-bom.py", "be-bom.py", "le.py", "be.py", "cut.py"]) assert.equal(reasonOf(manifest, p).reason, "binary");
  });

  it("symbolic link loops, a chain, a link to a folder above, and a named pipe: listed, never followed or read", async () => {
    const repo = folder({ "src/main.ts": GOOD });
    symlinkSync("self.ts", join(repo, "self.ts"));
    symlinkSync("b.ts", join(repo, "a.ts"));
    symlinkSync("a.ts", join(repo, "b.ts"));
    symlinkSync("..", join(repo, "src", "up"));
    symlinkSync("src", join(repo, "again"));
    symlinkSync("main.ts", join(repo, "src", "alias.ts"));
    let fifo = false;
    try {
      execFileSync("mkfifo", [join(repo, "pipe.ts")]);
      fifo = true;
    } catch {
      // no mkfifo here (Windows): the rest still runs
    }
    for (const source of ["folder", "git"] as const) {
      if (source === "git") {
        rmSync(join(repo, "pipe.ts"), { force: true }); // git cannot add a pipe
        git(repo, "init", "-q");
        git(repo, "add", "-A");
      }
      const manifest = await gather(repo);
      accountedFor(manifest);
      for (const p of ["self.ts", "a.ts", "b.ts"]) assert.equal(reasonOf(manifest, p).reason, "symlink-loop", `${source}: ${p}`);
      assert.equal(reasonOf(manifest, "src/up").reason, "symlink-loop");
      assert.match(reasonOf(manifest, "src/alias.ts").detail ?? "", /link to src\/main\.ts, gathered under its own path/);
      if (fifo && source === "folder") assert.equal(reasonOf(manifest, "pipe.ts").reason, "not-a-regular-file");
    }
  });
});
