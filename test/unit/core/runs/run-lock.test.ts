// One run at a time per data folder: the lock is taken once, refused while its holder lives
// (naming it), taken over from a process that is gone, and of several processes racing for
// it exactly one wins; a pipeline started while another holds it fails before writing anything.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { RUN_LOCK_FILE, RunLock, RunLockedError } from "../../../../src/core/runs/run-lock";
import { runPipeline } from "../../../../src/pipeline/run/orchestrator";

const root = mkdtempSync(join(tmpdir(), "repotune-lock-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const folder = () => join(root, `data-${n++}`);

/** A process id that is not running: a short-lived child's, after it exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((r) => child.on("exit", r));
  return child.pid!;
}

describe("RunLock", () => {
  it("is refused while its holder lives, naming it, and free again once released", () => {
    const dir = folder();
    const lock = RunLock.acquire(dir, process.ppid);
    assert.equal(RunLock.holder(dir), process.ppid);
    assert.throws(() => RunLock.acquire(dir), (e: unknown) => e instanceof RunLockedError && e.heldBy === process.ppid && /already training on .* \(process \d+/.test(e.message));
    lock.release();
    assert.equal(RunLock.holder(dir), undefined);
    RunLock.acquire(dir).release();
  });

  it("is taken over from a process that is gone (a worker killed with SIGKILL)", async () => {
    const dir = folder();
    RunLock.acquire(dir, await deadPid());
    assert.equal(RunLock.holder(dir), undefined);
    const lock = RunLock.acquire(dir);
    assert.equal(RunLock.holder(dir), process.pid);
    lock.release();
  });

  it("goes to exactly one of eight processes racing for it", async () => {
    const dir = folder();
    const script = `const { RunLock } = require(${JSON.stringify(join(__dirname, "..", "..", "..", "..", "src", "core", "runs", "run-lock.ts"))});
      try { RunLock.acquire(${JSON.stringify(dir)}); process.stdout.write("won"); setTimeout(() => {}, 1500); } catch (e) { process.stdout.write(e.name); }`;
    const outputs = await Promise.all(
      Array.from({ length: 8 }, () => new Promise<string>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", "-e", script]);
        let text = "";
        child.stdout.on("data", (d: Buffer) => (text += d.toString()));
        child.on("exit", () => resolve(text));
      })),
    );
    assert.equal(outputs.filter((o) => o === "won").length, 1, outputs.join(", "));
    assert.equal(outputs.filter((o) => o === "RunLockedError").length, 7, outputs.join(", "));
  });

  it("makes a second pipeline on the same data folder fail before it writes anything", async () => {
    const dir = folder();
    const held = RunLock.acquire(dir, process.ppid);
    writeFileSync(join(dir, "keep.txt"), "");
    await assert.rejects(
      runPipeline({ repo: dir, out: dir, preset: "micro", backend: "cpu", resume: false }, { stages: [], signal: new AbortController().signal, listener: () => undefined, resolveBackend: async (b) => ({ backend: b, device: "test" }) }),
      RunLockedError,
    );
    assert.deepEqual(readdirSync(dir).sort(), ["keep.txt", RUN_LOCK_FILE]);
    held.release();
    assert.ok(!existsSync(join(dir, RUN_LOCK_FILE)));
  });
});
