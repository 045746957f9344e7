// `repotune gather` on the fixture repository (test/fixtures/gather/fixture-repo.ts), run as a
// user runs it: every planted file lands excluded with its reason, no secret reaches any output
// file, and every record is a faithful piece of the repository (FIM samples reassemble to their
// file, docstring pairs are the function under the doc, commit pairs are what `git show` prints).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseFimPrompt } from "../../../src/core/completion/fim-prompt";
import { gatherDataset } from "../../../src/core/gather/gather";
import { FILE_SEP } from "../../../src/core/tokenizer/special-tokens";
import type { HeldoutProbe, PretrainRecord, SftRecord } from "../../../src/core/store/dataset-files";
import type { DatasetManifest } from "../../../src/core/store/dataset-manifest";
import { readJsonlFile } from "../../../src/core/store/jsonl-reader";
import { createFixtureRepo, git, type FixtureRepo } from "../../fixtures/gather/fixture-repo";
import { secretPieces } from "../../fixtures/gather/planted-secrets";
import { runCli } from "../../fixtures/gather/run-cli";
import { listFiles } from "../../helpers/list-files";

describe("repotune gather on the fixture repository", () => {
  let repo: FixtureRepo;
  let out: string;
  let manifest: DatasetManifest;
  let pretrain: PretrainRecord[];
  let sft: SftRecord[];
  let heldout: HeldoutProbe[];
  const fileText = (path: string) => readFileSync(join(repo.dir, path), "utf8");

  before(() => {
    repo = createFixtureRepo();
    // No --out: the default, REPO/.repotune.
    const run = runCli(["gather", "--repo", repo.dir, "--json"]);
    assert.equal(run.status, 0, run.stderr);
    manifest = JSON.parse(run.stdout) as DatasetManifest;
    out = join(repo.dir, ".repotune");
    const read = <T>(name: string) => {
      const { records, report } = readJsonlFile<T>(join(out, "dataset", name));
      assert.equal(report.tornLastLine, null);
      assert.deepEqual(report.corruptLines, []);
      return records;
    };
    pretrain = read<PretrainRecord>("pretrain.jsonl");
    sft = read<SftRecord>("sft.jsonl");
    heldout = read<HeldoutProbe>("heldout.jsonl");
  });
  after(() => repo?.cleanup());

  it("writes the dataset files under REPO/.repotune, which git ignores", () => {
    for (const name of ["manifest.json", "pretrain.jsonl", "sft.jsonl", "heldout.jsonl", "preferences.jsonl"]) assert.ok(existsSync(join(out, "dataset", name)), name);
    assert.equal(readFileSync(join(out, ".gitignore"), "utf8").trim(), "*");
    assert.equal(git(repo.dir, "status", "--porcelain", "--untracked-files=all", ".repotune"), "");
    assert.deepEqual(JSON.parse(readFileSync(join(out, "dataset", "manifest.json"), "utf8")), manifest);
  });

  it("excludes each planted file with the right reason", () => {
    const byPath = new Map(manifest.excluded.map((e) => [e.path, e]));
    for (const expected of repo.exclusions) {
      const got = byPath.get(expected.path);
      assert.ok(got, `${expected.path} is not in the manifest's exclusions`);
      assert.equal(got.reason, expected.reason, `${expected.path}: ${got.detail ?? ""}`);
      if (expected.detail) assert.ok(got.detail?.includes(expected.detail), `${expected.path}: "${got.detail ?? ""}" lacks "${expected.detail}"`);
    }
    // Nothing else is excluded, and the counts by reason add up.
    assert.deepEqual(manifest.excluded.map((e) => e.path).sort(), repo.exclusions.map((e) => e.path).sort());
    const counted = Object.values(manifest.excludedByReason).reduce((a, b) => a + (b ?? 0), 0);
    assert.equal(counted, manifest.excluded.length);
    assert.equal(manifest.files.excluded, manifest.excluded.length);
    assert.ok(!manifest.excluded.some((e) => e.path === "debug.log"), "an ignored file was listed");
  });

  it("keeps the ordinary code, each file either trained on or held out", () => {
    const inDataset = new Set([...pretrain.map((r) => r.path), ...manifest.split.heldoutPaths]);
    for (const path of repo.kept) assert.ok(inDataset.has(path), `${path} is missing from the dataset`);
    assert.equal(manifest.files.kept, manifest.split.train + manifest.split.heldout);
    assert.equal(manifest.source.kind, "git");
    assert.equal(manifest.source.kind === "git" && manifest.source.head, git(repo.dir, "rev-parse", "HEAD").trim());
  });

  it("lets no planted secret, whole or in part, reach any file under the output folder", () => {
    const files = listFiles(out);
    const outputs = files.map((path) => ({ path, text: readFileSync(path, "utf8") }));
    const allSecrets = [...repo.secrets.map((s) => s.value), ...repo.historySecrets];
    assert.ok(allSecrets.length >= 17);
    for (const secret of allSecrets) {
      for (const piece of secretPieces(secret)) {
        for (const output of outputs) assert.ok(!output.text.includes(piece), `${output.path} holds a piece of a planted secret`);
      }
    }
  });

  it("makes FIM samples that reassemble to their file, in PSM order, from training files only", () => {
    const fims = sft.filter((r) => r.kind === "fim");
    assert.ok(fims.length >= manifest.split.train, "at least one FIM sample per training file");
    let whole = 0;
    for (const r of fims) {
      assert.deepEqual(Object.keys(r).sort(), ["completion", "kind", "path", "prompt"]);
      const parts = parseFimPrompt(r.prompt);
      assert.ok(parts, `${r.path}: not a PSM prompt`);
      assert.ok(r.completion.trim() !== "", `${r.path}: empty middle`);
      const text = fileText(r.path);
      const joined = parts.prefix + r.completion + parts.suffix;
      if (joined === text) whole++;
      else {
        // A long file: a window of whole lines around the middle.
        const at = text.indexOf(joined);
        assert.ok(at !== -1, `${r.path}: prefix + middle + suffix is not a piece of the file`);
        assert.ok(at === 0 || text[at - 1] === "\n", `${r.path}: the window starts mid-line`);
        assert.ok(at + joined.length === text.length || joined.endsWith("\n"), `${r.path}: the window ends mid-line`);
        assert.ok(text.length > 1_600, `${r.path}: a short file was cut`);
      }
    }
    assert.ok(whole > fims.length / 2, "most fixture files are short enough to be whole in every sample");
    assert.ok(fims.some((r) => r.path === "src/long-module.ts" && parseFimPrompt(r.prompt)!.prefix.length + r.completion.length < fileText(r.path).length / 2));
  });

  it("pairs each doc comment with the function that follows it, in every language", () => {
    const docs = sft.filter((r) => r.kind === "docstring");
    let checked = 0;
    for (const d of repo.documented) {
      if (manifest.split.heldoutPaths.includes(d.path)) continue;
      const pair = docs.find((r) => r.path === d.path && r.completion === d.code);
      assert.ok(pair, `${d.path}: no docstring pair with the documented function`);
      assert.equal(pair.prompt, `${FILE_SEP}${d.path}\n${d.doc}`);
      checked++;
    }
    assert.ok(checked >= repo.documented.length - 1);
    for (const r of docs) {
      assert.ok(r.prompt.startsWith(`${FILE_SEP}${r.path}\n`));
      const source = r.prompt.slice(`${FILE_SEP}${r.path}\n`.length) + r.completion;
      assert.ok(fileText(r.path).includes(source), `${r.path}: a docstring pair that is not a piece of the file`);
    }
  });

  it("makes commit pairs whose completion is exactly what git show prints", () => {
    const commits = sft.filter((r) => r.kind === "commit");
    assert.ok(commits.length > 0);
    const hashes = git(repo.dir, "log", "--format=%H").trim().split("\n");
    for (const r of commits) {
      const source = hashes.find((h) => git(repo.dir, "show", "--format=", h, "--", r.path) === r.completion);
      assert.ok(source, `${r.path}: no commit shows this diff`);
      const message = git(repo.dir, "show", "-s", "--format=%B", source).trim().split("\n")[0] as string;
      assert.ok(r.prompt.includes(`    ${message}`), `${r.path}: the prompt lacks the commit message`);
      const parent = git(repo.dir, "rev-list", "--parents", "-n", "1", source).trim().split(" ")[1];
      const before = parent && git(repo.dir, "ls-tree", parent, "--", r.path).trim() ? git(repo.dir, "show", `${parent}:${r.path}`) : "";
      assert.ok(r.prompt.startsWith(`${FILE_SEP}${r.path}\n${before}`), `${r.path}: the prompt lacks the file before the change`);
    }
    // A held-out file makes no commit pair either (the split decides which files it is).
    const stringsPair = commits.some((r) => r.path === "src/utils/strings.ts" && r.completion.includes("+/** Words are runs of non-space characters. */"));
    assert.equal(stringsPair, !manifest.split.heldoutPaths.includes("src/utils/strings.ts"));
    // The commits that added and removed a secret make no pair.
    assert.ok(!commits.some((r) => r.path === "src/service.ts" && r.completion.includes("stripeKey")));
    assert.ok((manifest.commits.skipped.secret ?? 0) >= 2);
  });

  it("never trains on a held-out file, and probes held-out files line by line", () => {
    const held = new Set(manifest.split.heldoutPaths);
    assert.ok(held.size >= 1);
    for (const r of [...pretrain, ...sft]) assert.ok(!held.has(r.path), `${r.path} is held out but trained on`);
    assert.ok(heldout.length > 0);
    for (const p of heldout) {
      assert.ok(held.has(p.path));
      const text = fileText(p.path);
      const joined = p.prefix + p.target + p.suffix;
      assert.ok(text.includes(joined));
      assert.ok(p.target.trim() !== "" && (p.mode === "block" || !p.target.includes("\n")));
      // `line` is the 1-based line of the cursor.
      const cursor = text.indexOf(joined) + p.prefix.length;
      assert.equal(text.slice(0, cursor).split("\n").length, p.line);
    }
  });

  it("counts in the manifest what the files hold", () => {
    const kinds = (k: string) => sft.filter((r) => r.kind === k).length;
    assert.equal(manifest.counts.pretrain, pretrain.length);
    assert.equal(manifest.counts.fim, kinds("fim"));
    assert.equal(manifest.counts.docstring, kinds("docstring"));
    assert.equal(manifest.counts.commit, kinds("commit"));
    assert.equal(manifest.counts.heldout, heldout.length);
    assert.equal(sft.length, kinds("fim") + kinds("docstring") + kinds("commit"));
    assert.ok(manifest.tokens.pretrain > 0 && manifest.tokens.sft > 0);
    assert.ok(pretrain.filter((r) => r.path === "src/long-module.ts").length >= 2, "a long file is chunked");
    for (const r of pretrain) assert.ok(r.text.startsWith(`${FILE_SEP}${r.path}\n`));
  });

  it("gathers again without listing its own output, and leaves preferences.jsonl as feedback left it", async () => {
    const preferences = join(out, "dataset", "preferences.jsonl");
    const pair = { prompt: "p", chosen: "a", rejected: "b", source: "feedback" };
    writeFileSync(preferences, `${JSON.stringify(pair)}\n`);
    const firstSft = readFileSync(join(out, "dataset", "sft.jsonl"), "utf8");
    const again = await gatherDataset({ repo: repo.dir, datasetDir: join(out, "dataset") });
    assert.equal(again.counts.preferences, 1);
    assert.deepEqual(readJsonlFile(preferences).records, [pair]);
    assert.equal(again.files.seen, manifest.files.seen);
    assert.deepEqual(again.split.heldoutPaths, manifest.split.heldoutPaths, "the split is deterministic");
    assert.equal(readFileSync(join(out, "dataset", "sft.jsonl"), "utf8"), firstSft, "the same repository gives the same records");
  });
});

describe("repotune gather with nothing to learn from", () => {
  it("ends with exit code 2 and a clear message on an empty repository", () => {
    const repo = createEmptyRepo();
    try {
      const run = runCli(["gather", "--repo", repo.dir]);
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, /no files to learn from/);
      assert.equal(run.stdout, "");
    } finally {
      repo.cleanup();
    }
  });

  it("ends with exit code 2 and lists why when every file is excluded", () => {
    const repo = createEmptyRepo({ "logo.png": "\x89PNG\r\n\x1a\n\0\0", ".env": "A=1\n" });
    try {
      const run = runCli(["gather", "--repo", repo.dir, "--out", join(repo.dir, "..", "out"), "--json"]);
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, /nothing usable: all 2 files were excluded/);
      const manifest = JSON.parse(run.stdout) as DatasetManifest;
      assert.deepEqual(manifest.excluded.map((e) => [e.path, e.reason]), [[".env", "secret-file"], ["logo.png", "binary"]]);
    } finally {
      repo.cleanup();
    }
  });
});

function createEmptyRepo(files: Record<string, string> = {}): { dir: string; cleanup(): void } {
  const fixture = createFixtureRepoBase();
  for (const [path, content] of Object.entries(files)) writeFileSync(join(fixture.dir, path), content, "latin1");
  if (Object.keys(files).length > 0) {
    git(fixture.dir, "add", "-A");
    git(fixture.dir, "commit", "-q", "-m", "only unusable files");
  }
  return fixture;
}

function createFixtureRepoBase(): { dir: string; cleanup(): void } {
  const base = mkdtempSync(join(tmpdir(), "repotune-gather-empty-"));
  const dir = join(base, "repo");
  mkdirSync(dir);
  git(dir, "init", "-q", "-b", "main");
  return { dir, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}
