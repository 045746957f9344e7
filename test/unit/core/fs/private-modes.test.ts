// Data RepoTune writes is readable by the user alone (issue 16, item 4): under the common umask
// 022, a gathering, a checkpoint save, a GGUF export, a feedback append, a download, the run
// lock and the data folder's root come out as files 0600 and folders 0700.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { exportGguf } from "../../../../src/core/formats/gguf";
import { feedbackFileSink } from "../../../../src/core/feedback/feedback-log";
import type { FeedbackEvent } from "../../../../src/core/feedback/feedback-types";
import { writeFileAtomicSync } from "../../../../src/core/fs/atomic-write";
import { ensurePrivateRoot, mkdirPrivate } from "../../../../src/core/fs/private-files";
import { gatherDataset } from "../../../../src/core/gather/gather";
import { markLatest } from "../../../../src/core/runs/run-layout";
import { appendJsonlRecord } from "../../../../src/core/store/jsonl-appender";
import { saveCheckpoint } from "../../../../src/engine/checkpoint";
import { RunLock } from "../../../../src/core/runs/run-lock";
import { defaultOutDir } from "../../../../src/cli/commands/out-dir";
import { catalogPath, downloadModel, type CatalogModel } from "../../../../src/hub";
import { startFakeHub } from "../../../helpers/fake-hub";
import { notPrivate, octal } from "../../../helpers/file-modes";
import { tinyWeights, TINY, writeTinyCheckpoint } from "../../../integration/serve/helpers/tiny-checkpoint";

const skip = process.platform === "win32" ? "Windows has no POSIX file modes (a user's profile folder is private there)" : false;
const mode = (path: string) => statSync(path).mode;

let root: string;
let umask: number;

before(() => {
  // What most machines run with: new files 0644 and folders 0755 unless the writer says otherwise.
  umask = process.umask(0o022);
  root = mkdtempSync(join(tmpdir(), "repotune-modes-"));
});
after(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

describe("private file modes under umask 022", { skip }, () => {
  it("the writers: atomic write (also over an old 0644 file), JSONL append, mkdirPrivate", () => {
    const dir = join(root, "writers", "a", "b");
    mkdirPrivate(dir);
    writeFileSync(join(dir, "old.json"), "{}", { mode: 0o644 });
    writeFileAtomicSync(join(dir, "old.json"), "{}\n");
    writeFileAtomicSync(join(dir, "new.json"), "{}\n");
    appendJsonlRecord(join(dir, "log.jsonl"), { a: 1 });
    assert.deepEqual(notPrivate(join(root, "writers")), []);
  });

  it("a gathering: dataset files and manifest", async () => {
    const repo = join(root, "repo");
    mkdirSync(join(repo, "src"), { recursive: true });
    for (let i = 0; i < 6; i++) writeFileSync(join(repo, "src", `m${i}.ts`), `export function f${i}(x: number): number {\n  // adds ${i}\n  return x + ${i};\n}\n`.repeat(8));
    execFileSync("git", ["init", "-q"], { cwd: repo });
    execFileSync("git", ["add", "-A"], { cwd: repo });
    execFileSync("git", ["-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-qm", "x"], { cwd: repo });
    const out = join(root, "gather-out");
    const datasetDir = join(out, "dataset");
    mkdirPrivate(datasetDir); // as the gather stage and `repotune gather` make it
    await gatherDataset({ repo, datasetDir });
    const names = readdirSync(datasetDir).sort();
    assert.ok(names.includes("pretrain.jsonl") && names.includes("manifest.json"), names.join(" "));
    assert.deepEqual(notPrivate(out), []);
    // The one file gathering creates outside its writers (empty, for the editor's pairs to come).
    assert.equal(octal(mode(join(datasetDir, "preferences.jsonl"))), "0600");
  });

  it("a checkpoint save and a GGUF export", async () => {
    const tiny = join(root, "tiny");
    await writeTinyCheckpoint(tiny, { seed: 2 });
    const weights = new Map([...tinyWeights(TINY, 2)].map(([name, t]) => [name, { shape: t.shape, data: t.data }]));
    const ckpts = join(root, "run", "stages", "pretrain", "checkpoints");
    saveCheckpoint(ckpts, { step: 3, config: TINY, weights, tokenizer: readFileSync(join(tiny, "tokenizer.json"), "utf8") });
    exportGguf({ checkpointDir: tiny, outPath: join(root, "run", "student.gguf"), dtype: "f16" });
    markLatest(join(root, "run"), "20250101-000000-abcd");
    assert.deepEqual(notPrivate(join(root, "run")), []);
  });

  it("a feedback append: the feedback folder and its log", () => {
    const out = join(root, "feedback-out");
    mkdirPrivate(out);
    const event: FeedbackEvent = { id: "1", time: new Date(0).toISOString(), outcome: "accepted", path: "a.ts", languageId: "typescript", prefix: "const a = ", suffix: ";", shown: "1", written: "1", mode: "line", model: "m", latencyMs: 5 };
    feedbackFileSink(out).event(event, "file:///a.ts");
    feedbackFileSink(out).pair({ prompt: "p", chosen: "c", rejected: "r", source: "editor" } as never, "file:///a.ts");
    assert.deepEqual(notPrivate(out), []);
  });

  it("the run lock and the CLI's data folder (an old 0755 one is closed to others)", () => {
    const repo = join(root, "cli-repo");
    mkdirSync(join(repo, ".repotune"), { recursive: true, mode: 0o755 });
    chmodSync(join(repo, ".repotune"), 0o755);
    const out = defaultOutDir(repo);
    const lock = RunLock.acquire(out, process.pid);
    assert.deepEqual(notPrivate(out), []);
    lock.release();
    const fresh = join(root, "ext-data", "ws-1234");
    ensurePrivateRoot(fresh);
    assert.equal(octal(mode(fresh)), "0700");
  });

  it("a download from a (loopback) hub: the model, its record and its folder", async () => {
    const bytes = Buffer.from("GGUF fake model bytes");
    const model: CatalogModel = { name: "t", title: "T", repo: "org/T-GGUF", file: "t.gguf", revision: "main", approxBytes: bytes.length, parameters: 1, contextLength: 64 };
    const hub = await startFakeHub({ files: [{ repo: model.repo, file: model.file, bytes }] });
    try {
      const folder = join(root, "models");
      const r = await downloadModel(model, { folder, endpoint: hub.endpoint, retryDelayMs: 10, idleTimeoutMs: 5000 });
      assert.equal(r.path, catalogPath(model, folder));
      assert.deepEqual(notPrivate(folder), []);
    } finally {
      await hub.close();
    }
  });
});
