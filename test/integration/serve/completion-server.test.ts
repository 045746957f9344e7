// The forked completion server (out/completion-server.js) on a tiny GGUF exported by us:
// ready after load, a completion, a cache hit, type-through, a cancellation, bad messages
// answered with errors while it keeps serving, and a clean exit when its host goes away.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { realCode } from "./helpers/real-code";
import { ensureServerBundle } from "./helpers/server-bundle";
import { ServerClient } from "./helpers/server-client";
import { writeTinyServableGguf } from "./helpers/tiny-checkpoint";

const dir = mkdtempSync(join(tmpdir(), "repotune-server-"));
const gguf = join(dir, "tiny.gguf");
let server: ServerClient;

const code = realCode(20_000);
const at = (offset: number) => ({ prefix: code.slice(Math.max(0, offset - 1500), offset), suffix: code.slice(offset, offset + 300) });

before(async () => {
  await writeTinyServableGguf(dir);
  server = new ServerClient(await ensureServerBundle(), { REPOTUNE_SERVER_LOG: "1" });
});

after(async () => {
  if (server) await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("completion server process", () => {
  it("answers a request before any model with an error, then 'ready' after load", async () => {
    const err = await server.complete("early", "x", "");
    assert.equal(err.type, "error");
    server.send({ type: "load", modelPath: gguf, threads: 1 });
    const ready = await server.next((r) => r.type === "ready");
    assert.ok(ready.type === "ready" && ready.modelPath === gguf && /cpu \(1 thread\)|cuda|vulkan|metal/.test(ready.device), JSON.stringify(ready));
  });

  it("completes, then serves the same place from the cache", async () => {
    const place = at(8000);
    const first = await server.complete("c1", place.prefix, place.suffix);
    assert.ok(first.type === "completion" && !first.cached, JSON.stringify(first));
    assert.ok(!first.text.includes("\n"), "line mode");
    const again = await server.complete("c2", place.prefix, place.suffix);
    assert.ok(again.type === "completion" && again.cached && again.text === first.text);
    assert.ok(again.latencyMs < 5, `cache hit took ${again.latencyMs} ms`);
    console.log(`# first ${first.latencyMs.toFixed(1)} ms (${JSON.stringify(first.text)}), cache hit ${again.latencyMs.toFixed(2)} ms`);
    assert.ok(first.text.length > 1, "this seed's model says something here");
    const typed = await server.complete("c3", place.prefix + first.text[0], place.suffix);
    assert.ok(typed.type === "completion" && typed.cached && typed.text === first.text.slice(1), "type-through");
  });

  it("prefetches what follows an accepted suggestion", async () => {
    const place = at(8000);
    const first = (await server.complete("p0", place.prefix, place.suffix)) as { text: string };
    // The server logs each prefetch once it is cached.
    const deadline = Date.now() + 10_000;
    while (!server.stderr.includes("prefetch:") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const next = await server.complete("p1", place.prefix + first.text, place.suffix);
    assert.ok(next.type === "completion" && next.cached, `accepting leads to a cache hit: ${JSON.stringify(next)}`);
  });

  it("cancels a request by id", async () => {
    const place = at(12_000);
    server.send({ type: "complete", id: "x1", prefix: place.prefix, suffix: place.suffix, languageId: "javascript", maxTokens: 200, mode: "block" });
    server.send({ type: "cancel", id: "x1" });
    const reply = await server.forId("x1");
    assert.equal(reply.type, "cancelled");
    // and it still serves
    const after = await server.complete("x2", place.prefix, place.suffix);
    assert.equal(after.type, "completion");
  });

  it("answers malformed messages with errors and keeps serving", async () => {
    const before = server.replies.length;
    server.child.send({ v: 1, type: "complete", id: "bad1", prefix: 3 });
    server.child.send({ v: 2, type: "cancel", id: "bad2" });
    server.child.send("hello");
    server.send({ type: "complete", id: "bad3", prefix: "a", suffix: "", languageId: "js", maxTokens: -1, mode: "line" });
    await server.forId("bad3");
    await server.next(() => server.replies.length >= before + 4);
    assert.ok(server.replies.slice(before).every((r) => r.type === "error"));
    const ok = await server.complete("ok", "function add(a, b) {\n  return ", ";\n}\n");
    assert.equal(ok.type, "completion");
    assert.equal(server.child.exitCode, null, "still running");
  });

  it("reuses the prompt's shared prefix and reports figures; exits when its host disconnects", async () => {
    const place = at(16_000);
    await server.complete("r1", place.prefix, place.suffix);
    await server.complete("r2", place.prefix + "x", place.suffix);
    const lines = server.stderr.trim().split("\n").filter((l) => l.startsWith("r2:"));
    const reused = /\((\d+) reused\)/.exec(lines.at(-1) ?? "");
    assert.ok(reused && Number(reused[1]) > 50, `the second prompt should reuse the first's tokens: ${lines.at(-1)}`);
    assert.equal(await server.close(), 0);
  });
});
