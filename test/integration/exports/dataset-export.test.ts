// `repotune export --format dataset` on a real gathered repository: JSON Lines with one schema
// per file, read back by Python the way `datasets.load_dataset("json")` (Arrow) needs them, a
// card whose YAML header names each config, and nothing torn, misshapen or secret copied.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gatherDataset } from "../../../src/core/gather/gather";
import { exportDatasetFolder, DatasetExportError } from "../../../src/core/formats/hf-dataset/export-dataset";
import { datasetPaths } from "../../../src/core/store/dataset-files";
import { createFixtureRepo } from "../../fixtures/gather/fixture-repo";
import { plantedSecrets } from "../../fixtures/gather/planted-secrets";

const token = plantedSecrets().find((s) => s.kind === "github-token")!.value;

const PYTHON = "/usr/bin/python3";
const root = mkdtempSync(join(tmpdir(), "repotune-dsexport-"));
let repo = "";
const dataset = join(root, "dataset");
const out = join(root, "export");
const feedback = join(root, "events.jsonl");
after(() => {
  rmSync(root, { recursive: true, force: true });
  if (repo) rmSync(dirname(repo), { recursive: true, force: true });
});

// What Arrow needs of a JSON Lines file: an object per line, the same columns in each, one type
// per column (nulls aside); and the card's YAML naming each config's file.
const CHECK = `
import json, sys, yaml
out = sys.argv[1]
card = open(out + "/README.md").read()
header = yaml.safe_load(card.split("---")[1])
result = {"configs": {c["config_name"]: c["data_files"] for c in header["configs"]}, "files": {}}
for name, path in result["configs"].items():
    rows = [json.loads(l) for l in open(out + "/" + path) if l.strip()]
    columns = [sorted(r.keys()) for r in rows]
    types = {}
    for r in rows:
        for k, v in r.items():
            if v is not None: types.setdefault(k, set()).add(type(v).__name__)
    result["files"][name] = {"rows": len(rows), "sameColumns": all(c == columns[0] for c in columns), "mixed": sorted(k for k, t in types.items() if len(t) > 1)}
print(json.dumps(result))
`;

before(async () => {
  const { writeFileSync } = await import("node:fs");
  repo = createFixtureRepo().dir;
  await gatherDataset({ repo, datasetDir: dataset });
  const sft = datasetPaths(dataset).sft;
  appendFileSync(sft, `${JSON.stringify({ prompt: "p", completion: `curl -H "Authorization: token ${token}"`, kind: "fim", path: "x" })}\n`);
  appendFileSync(sft, `${JSON.stringify({ prompt: 3, completion: "c" })}\n`);
  appendFileSync(sft, `{"prompt": "torn`);
  writeFileSync(feedback, `${JSON.stringify({ id: "a", time: "t", outcome: "accepted", path: "src/m1.ts", languageId: "typescript", prefix: "x", suffix: "", shown: "y", written: "y", mode: "line", model: "m", latencyMs: 40 })}\n${JSON.stringify({ id: "b", time: "t", outcome: "partial", path: "src/m2.ts", languageId: "typescript", prefix: "x", suffix: "", shown: "yz", written: "y", acceptedChars: 1, mode: "line", model: "m", latencyMs: 41 })}\n`);
});

describe("dataset export", () => {
  it("writes one file per config with one schema each, the card naming them, and leaves out what is torn, misshapen or secret", () => {
    const r = exportDatasetFolder({ datasetDir: dataset, feedbackEvents: feedback, outDir: out });
    const sft = r.configs.find((c) => c.config === "sft")!;
    assert.deepEqual(sft.skipped, { corrupt: 1, wrongShape: 1, secret: 1 });
    assert.ok(sft.rows > 10, `${sft.rows} sft rows`);
    assert.equal(r.configs.find((c) => c.config === "feedback")!.rows, 2);
    assert.ok(!readFileSync(join(out, "data", "sft.jsonl"), "utf8").includes(token), "the planted token is not exported");
    assert.ok(r.card.includes(`# ${basename(repo)}: a RepoTune dataset`));
    assert.match(r.card, /\| secret \| \d+ \|/, "the card lists why files were excluded");
    assert.match(r.card, /\| sft \| \d+ \| 3 \(1 corrupt, 1 of the wrong shape, 1 holding a secret\)/);
    const py = spawnSync(PYTHON, ["-c", CHECK, out], { encoding: "utf8" });
    assert.equal(py.status, 0, py.stderr);
    const seen = JSON.parse(py.stdout) as { configs: Record<string, string>; files: Record<string, { rows: number; sameColumns: boolean; mixed: string[] }> };
    assert.deepEqual(Object.keys(seen.configs).sort(), ["feedback", "heldout", "preferences", "pretrain", "sft"]);
    for (const c of r.configs) {
      const f = seen.files[c.config]!;
      assert.equal(f.rows, c.rows, c.config);
      assert.ok(f.sameColumns, `${c.config}: every row has the same columns`);
      assert.deepEqual(f.mixed, [], `${c.config}: one type per column`);
    }
  });

  it("repotune export --format dataset --data DIR --out DIR writes the same, and says what it left out", () => {
    const cli = join(__dirname, "..", "..", "..", "src", "cli", "main.ts");
    const r = spawnSync(process.execPath, ["--import", "tsx", cli, "export", "--format", "dataset", "--data", root, "--out", join(root, "cli-export"), "--json"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as { configs: { config: string; rows: number; skipped: { secret: number } }[] };
    assert.deepEqual(printed.configs.map((c) => c.config), ["pretrain", "sft", "preferences", "heldout"], "no feedback log in that data folder");
    assert.equal(printed.configs[1]!.skipped.secret, 1);
    assert.deepEqual(readFileSync(join(root, "cli-export", "data", "sft.jsonl")), readFileSync(join(out, "data", "sft.jsonl")));
  });

  it("a folder that was never gathered is a clear error", () => {
    assert.throws(() => exportDatasetFolder({ datasetDir: join(root, "nothing"), outDir: join(root, "x") }), (err: unknown) => err instanceof DatasetExportError && /gather the dataset first/.test((err as Error).message));
  });
});
