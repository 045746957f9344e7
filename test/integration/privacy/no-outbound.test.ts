// Your code never leaves your machine (issue 16, item 4): a whole micro run in the training
// worker, then the completion server answering a request with the model it made, attempt no
// connection but loopback and IPC. Two observers watch: a preload in every Node process
// (test/helpers/net-observer.cjs) and, where it can run, strace over the whole process tree
// (native llama.cpp, tfjs's wasm, git). A positive control shows that both see a download
// (asked for, from a loopback hub) and a connection to an address that is not loopback, so the
// test can fail. The same run, under umask 022, leaves every file 0600 and every folder 0700.
import assert from "node:assert/strict";
import { spawn, fork } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ensurePrivateRoot } from "../../../src/core/fs/private-files";
import { parseServerReply, PROTOCOL_VERSION, type ServerReply, type TrainingJob, type WorkerEvent } from "../../../src/core/protocol";
import { TrainingWorkerClient } from "../../../src/worker/clients/training-worker-client";
import { startFakeHub } from "../../helpers/fake-hub";
import { notPrivate } from "../../helpers/file-modes";
import { makeFixtureRepo } from "../pipeline/fixture-repo";
import { ensureServerBundle } from "../serve/helpers/server-bundle";
import { CONTROL_MODEL } from "./helpers/reach-out";
import { isLocal, OBSERVER, outbound, readAttempts, straceNode, straceOutbound } from "./helpers/observations";

const root = join(__dirname, "..", "..", "..");
const workerScript = join(root, "out", "training-worker.js");
let dir: string;
let repo: string;
let strace: string | undefined;
let studentGguf: string | undefined;
let umask: number;

/** Log files for one observed process tree, and what to give fork() so both observers watch it. */
function observed(name: string) {
  const netLog = join(dir, `${name}.net.jsonl`);
  const straceLog = join(dir, `${name}.strace`);
  const wrapper = strace ? straceNode(dir, straceLog) : undefined;
  return {
    netLog,
    straceLog,
    execArgv: ["--require", OBSERVER],
    ...(wrapper ? { execPath: wrapper } : {}),
    env: { REPOTUNE_NET_LOG: netLog },
  };
}

function assertNothingLeft(o: ReturnType<typeof observed>, script: string): void {
  const attempts = readAttempts(o.netLog);
  const kinds = attempts.reduce<Record<string, number>>((n, a) => ((n[a.kind] = (n[a.kind] ?? 0) + 1), n), {});
  console.log(`# ${script.split("/").pop()}: observed ${JSON.stringify(kinds)}${strace ? `, strace ${readFileSync(o.straceLog, "utf8").split("\n").length - 1} socket calls` : ""}`);
  assert.ok(attempts.some((a) => a.kind === "loaded" && a.target === script), `the observer ran in ${script}: ${JSON.stringify(attempts.slice(0, 3))}`);
  assert.deepEqual(outbound(attempts), [], "the Node observer saw an attempt that leaves the machine");
  if (strace) assert.deepEqual(straceOutbound(o.straceLog), [], `strace saw a socket address that is not loopback (${o.straceLog})`);
}

describe("no outbound connections", { timeout: 900_000 }, () => {
  before(async () => {
    assert.ok(existsSync(workerScript), `${workerScript} is missing: build first (node esbuild.config.mjs)`);
    // Under the umask most machines run with, new files would be 0644 unless the writer says.
    umask = process.umask(0o022);
    dir = mkdtempSync(join(tmpdir(), "repotune-offline-"));
    repo = makeFixtureRepo();
    strace = straceNode(dir, join(dir, "probe.strace"));
    if (!strace) console.log("# strace cannot run here (not installed, or ptrace denied): the Node observer alone watches");
  });
  after(() => {
    process.umask(umask);
    rmSync(dir, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  });

  it("a whole micro run in the training worker: no connection but loopback and IPC; files 0600, folders 0700", async () => {
    // The data folder as the extension and `repotune tune` make it (settings/data-folder.ts, cli/commands/out-dir.ts).
    const out = join(dir, "data");
    ensurePrivateRoot(out);
    const o = observed("worker");
    const events: WorkerEvent[] = [];
    const client = new TrainingWorkerClient({ workerScript, maxHeapMb: 2048, onEvent: (e) => events.push(e), ...o });
    const job: TrainingJob = { repo, out, preset: "micro", backend: "wasm", resume: false, activate: "always" };
    client.start(job);
    const exit = await client.exited;
    assert.equal(exit.code, 0, JSON.stringify(events.filter((e) => e.type === "error")));
    const done = events.find((e) => e.type === "done");
    assert.ok(done && done.type === "done", "the run finished");
    studentGguf = done.artifacts.studentGguf ?? Object.values(done.artifacts).find((p) => p.endsWith("student.gguf"));
    assertNothingLeft(o, workerScript);
    // Datasets, run folder and events, checkpoints, tokenizer, teacher targets, GGUFs, report, active.json.
    assert.deepEqual(notPrivate(out), [], "every file 0600, every folder 0700");
  });

  it("the completion server loads the run's model and answers a completion: no connection but IPC", { timeout: 120_000 }, async (t) => {
    if (!studentGguf) return t.skip("the micro run made no student GGUF");
    const bundle = await ensureServerBundle();
    const o = observed("server");
    const child = fork(bundle, [], { stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "json", execArgv: o.execArgv, ...(o.execPath ? { execPath: o.execPath } : {}), env: { ...process.env, ...o.env } });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const replies: ServerReply[] = [];
    const next = (match: (r: ServerReply) => boolean) =>
      new Promise<ServerReply>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply in 60 s; stderr: ${stderr}`)), 60_000);
        const look = () => {
          const r = replies.find(match);
          if (!r) return;
          clearTimeout(timer);
          child.off("message", look);
          resolve(r);
        };
        child.on("message", look);
        look();
      });
    child.on("message", (raw) => replies.push(parseServerReply(raw)));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      child.send({ v: PROTOCOL_VERSION, type: "load", modelPath: studentGguf, threads: 1 });
      await next((r) => r.type === "ready" || r.type === "error");
      child.send({ v: PROTOCOL_VERSION, type: "complete", id: "c1", prefix: "function add(a, b) {\n  return ", suffix: "\n}\n", languageId: "javascript", maxTokens: 8, mode: "line" });
      const reply = await next((r) => "id" in r && r.id === "c1");
      assert.equal(reply.type, "completion", JSON.stringify(reply));
    } finally {
      child.disconnect();
      await exited;
    }
    assertNothingLeft(o, bundle);
  });

  it("positive control: a download from a loopback hub is seen as loopback; an address that is not loopback is seen and flagged", { timeout: 120_000 }, async () => {
    // An address of this machine that is not loopback, with a listener on it: flagged like any
    // outside host, yet no packet leaves the machine. Without one, a TEST-NET-1 address (RFC
    // 5737, routed nowhere) with nothing listening: the attempt is made and fails.
    const own = Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === "IPv4")?.address;
    const listener = createServer((s) => s.end());
    await new Promise<void>((r) => listener.listen(0, own ?? "127.0.0.1", r));
    const outsidePort = own ? (listener.address() as AddressInfo).port : 9;
    const outsideHost = own ?? "192.0.2.1";
    const hub = await startFakeHub({ files: [{ repo: CONTROL_MODEL.repo, file: CONTROL_MODEL.file, bytes: Buffer.alloc(CONTROL_MODEL.approxBytes, 7) }] });
    const o = observed("control");
    try {
      const script = join(__dirname, "helpers", "reach-out.ts");
      const child = spawn(o.execPath ?? process.execPath, [...o.execArgv, "--import", "tsx", script], {
        stdio: ["ignore", "inherit", "pipe"],
        env: { ...process.env, ...o.env, HUB_ENDPOINT: hub.endpoint, OUTSIDE_HOST: outsideHost, OUTSIDE_PORT: String(outsidePort), DOWNLOAD_DIR: join(dir, "models") },
      });
      let stderr = "";
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
      if (own) assert.equal(code, 0, stderr);
    } finally {
      await hub.close();
      listener.close();
    }
    const attempts = readAttempts(o.netLog);
    const hubPort = new URL(hub.endpoint).port;
    const download = attempts.filter((a) => a.target.includes(`127.0.0.1:${hubPort}`));
    assert.ok(download.some((a) => a.kind === "http") && download.some((a) => a.kind === "socket"), `the download was seen: ${JSON.stringify(attempts.map((a) => a.target))}`);
    assert.ok(download.every(isLocal), "and counted as loopback");
    const flagged = outbound(attempts).map((line) => line.split("\n")[0]);
    assert.ok(flagged.includes(`socket tcp:${outsideHost}:${outsidePort}`), `the connection out was flagged: ${JSON.stringify(flagged)}`);
    assert.ok(flagged.includes(`dns dns:${outsideHost}`), `the lookup was flagged: ${JSON.stringify(flagged)}`);
    if (strace) assert.ok(straceOutbound(o.straceLog).includes(`connect ${outsideHost}`), `strace saw it: ${JSON.stringify(straceOutbound(o.straceLog))}`);
  });
});
