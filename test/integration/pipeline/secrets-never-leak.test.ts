// Every kind of planted credential (test/fixtures/gather/secret-corpus.ts), committed into a
// real repository, then a whole run in the training worker (gather, tokenizer, pretrain, SFT,
// DPO, distill, eval, export, activate): not one piece of any of them is in any file the run
// wrote: datasets, tokenizer, checkpoints, GGUF files, event logs, reports, samples.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TrainingJob, WorkerEvent } from "../../../src/core/protocol";
import type { DatasetManifest } from "../../../src/core/store/dataset-manifest";
import { TrainingWorkerClient } from "../../../src/worker/clients/training-worker-client";
import { secretPieces } from "../../fixtures/gather/planted-secrets";
import { secretCorpus } from "../../fixtures/gather/secret-corpus";
import { makeFixtureRepo } from "./fixture-repo";
import { listFiles } from "../../helpers/list-files";

const workerScript = join(__dirname, "..", "..", "..", "out", "training-worker.js");

describe("no planted credential reaches anything a run writes", { timeout: 600_000 }, () => {
  let repo: string;
  let out: string;
  const corpus = secretCorpus(7);

  before(() => {
    assert.ok(existsSync(workerScript), `${workerScript} is missing: build first (node esbuild.config.mjs)`);
    repo = makeFixtureRepo("repotune-leak-");
    out = mkdtempSync(join(tmpdir(), "repotune-leak-out-"));
    corpus.forEach((s, i) => {
      const path = join(repo, "planted", String(i), s.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, s.content);
    });
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "ignore" });
    git("add", "-A");
    git("-c", "user.email=test@example.invalid", "-c", "user.name=test", "commit", "-qm", "configuration for every environment");
  });
  after(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it("a whole run leaves no piece of any of them in its datasets, checkpoints, GGUFs, logs or reports", async () => {
    const job: TrainingJob = { repo, out, preset: "micro", backend: "wasm", resume: false, activate: "always" };
    const events: WorkerEvent[] = [];
    const client = new TrainingWorkerClient({ workerScript, maxHeapMb: 2048, onEvent: (e) => void events.push(e) });
    client.start(job);
    const exit = await client.exited;
    assert.equal(exit.code, 0, JSON.stringify(events.filter((e) => e.type === "error")));

    const manifest = JSON.parse(readFileSync(join(out, "dataset", "manifest.json"), "utf8")) as DatasetManifest;
    // Every planted file is left out (for its secret, or by its name or kind), none trained on or held out.
    const left = new Set(manifest.excluded.map((e) => e.path));
    assert.deepEqual(corpus.map((s, i) => `planted/${i}/${s.path}`).filter((p) => !left.has(p)), []);
    const bySecret = manifest.excluded.filter((e) => e.path.startsWith("planted/") && e.reason === "secret").length;
    assert.ok(bySecret >= corpus.length / 2, `only ${bySecret} of ${corpus.length} planted files were left out for their secret`);
    const pretrainPaths = readFileSync(join(out, "dataset", "pretrain.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { path: string }).path);
    assert.deepEqual([...pretrainPaths, ...manifest.split.heldoutPaths].filter((p) => p.startsWith("planted/")), []);

    const files = listFiles(out);
    assert.ok(files.some((f) => f.endsWith(".gguf")) && files.some((f) => f.endsWith("model.safetensors")) && files.some((f) => f.endsWith("events.jsonl")));
    // Binary files too, byte for byte (latin1 keeps every byte one character).
    const outputs = files.map((path) => ({ path, text: readFileSync(path, "latin1") }));
    const leaks: string[] = [];
    for (const s of corpus) {
      for (const piece of secretPieces(s.value)) {
        for (const o of outputs) if (o.text.includes(piece)) leaks.push(`${s.kind} (${s.path}) in ${o.path}`);
      }
    }
    assert.deepEqual(leaks, []);
  });
});
