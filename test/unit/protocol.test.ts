import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  makeWorkerEvent,
  parseDashboardRequest,
  parseServerCommand,
  parseWorkerCommand,
  parseWorkerEvent,
  ProtocolError,
  PROTOCOL_VERSION,
  type WorkerEventBody,
} from "../../src/core/protocol";

describe("protocol", () => {
  const events: WorkerEventBody[] = [
    { type: "run-start", runId: "r1", runDir: "/tmp/r1", preset: "micro", backend: "wasm", device: "CPU" },
    { type: "plan", stages: [{ stage: "pretrain", steps: 200, tokens: 204800, estimateSec: 50, basis: "timed now", budgetSec: 180 }, { stage: "dpo", steps: 28, tokens: 57344, estimateSec: null, basis: null }], estimateSec: null, minutes: null },
    { type: "stage-start", stage: "pretrain", totalSteps: 10 },
    { type: "progress", stage: "sft", step: 3, totalSteps: 10, loss: 2.5, lr: 1e-3, tokensPerSec: 400, etaSec: 12, rssMb: 300, metrics: { "rewards/margins": 0.1 } },
    { type: "eval", stage: "eval", metrics: { exactMatch: 0.25, preferenceAccuracy: null } },
    { type: "sample", stage: "eval", path: "a.ts", line: 3, prefix: "const x", truth: " = 1;", student: " = 2;" },
    { type: "log", level: "warn", message: "hello" },
    { type: "stage-end", stage: "dpo", status: "skipped", reason: "no pairs", durationSec: 0 },
    { type: "done", artifacts: { model: "/tmp/m.gguf" } },
    { type: "error", message: "out of memory", hint: "use a smaller preset" },
  ];

  for (const body of events) {
    it(`round-trips a ${body.type} event through JSON`, () => {
      const event = makeWorkerEvent(body, new Date(0));
      const back = parseWorkerEvent(JSON.parse(JSON.stringify(event)));
      assert.deepEqual(back, event);
    });
  }

  it("round-trips worker and server commands", () => {
    const start = { v: PROTOCOL_VERSION, type: "start", job: { repo: "/r", out: "/o", preset: "tiny", backend: "auto", resume: false } };
    assert.deepEqual(parseWorkerCommand(JSON.parse(JSON.stringify(start))), start);
    const req = { v: PROTOCOL_VERSION, type: "complete", id: "1", prefix: "a", suffix: "b", languageId: "ts", maxTokens: 16, mode: "line" };
    assert.deepEqual(parseServerCommand(req), req);
    const withRepo = { ...req, budget: { prefixTokens: 10, suffixTokens: 5, extraTokens: 0 }, repo: { name: "r", path: "a.ts", files: [{ path: "b.ts", text: "x" }] } };
    assert.deepEqual(parseServerCommand(withRepo), withRepo);
  });

  it("bounds a completion request's repository context", () => {
    const req = { v: PROTOCOL_VERSION, type: "complete", id: "1", prefix: "a", suffix: "b", languageId: "ts", maxTokens: 16, mode: "line" };
    const file = { path: "b.ts", text: "x" };
    assert.throws(() => parseServerCommand({ ...req, repo: { name: "r" } }), /field "repo"/);
    assert.throws(() => parseServerCommand({ ...req, repo: { name: "r", path: "a", files: Array(33).fill(file) } }), /field "repo"/);
    assert.throws(() => parseServerCommand({ ...req, repo: { name: "r", path: "a", files: [{ path: "b", text: "x".repeat(65_537) }] } }), /field "repo"/);
    assert.throws(() => parseServerCommand({ ...req, budget: { prefixTokens: 10, suffixTokens: 5, extraTokens: -1 } }), /field "budget"/);
  });

  it("rejects a wrong version, an unknown type and a bad field, saying which", () => {
    assert.throws(() => parseWorkerCommand({ v: 99, type: "cancel" }), /protocol version 99/);
    assert.throws(() => parseWorkerCommand({ v: PROTOCOL_VERSION, type: "explode" }), /unknown message type "explode"/);
    assert.throws(
      () => parseWorkerEvent({ v: PROTOCOL_VERSION, time: "t", type: "progress", stage: "sft", step: "3" }),
      (err: unknown) => err instanceof ProtocolError && /field "step"/.test(err.message),
    );
    assert.throws(() => parseWorkerEvent({ v: PROTOCOL_VERSION, time: "t", type: "stage-start", stage: "nope", totalSteps: 1 }), /field "stage"/);
    assert.throws(() => parseWorkerEvent({ v: PROTOCOL_VERSION, time: "t", type: "plan", stages: [{ stage: "pretrain", steps: 1, tokens: 1, estimateSec: 1, basis: "a guess" }], estimateSec: 1, minutes: null }), /field "stages"/);
    assert.throws(() => parseWorkerCommand({ v: PROTOCOL_VERSION, type: "start", job: { repo: "/r", out: "/o", preset: "tiny", backend: "auto", resume: false, steps: { eval: 3 } } }), /field "job"/);
    assert.throws(() => parseDashboardRequest("hello"), /expected an object/);
    assert.throws(() => parseDashboardRequest({ v: PROTOCOL_VERSION, type: "action", action: "rm -rf" }), /field "action"/);
  });
});

describe("protocol type lookup", () => {
  it("does not accept inherited property names as message types", () => {
    for (const type of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      assert.throws(() => parseWorkerCommand({ v: PROTOCOL_VERSION, type }), /unknown message type/, type);
      assert.throws(() => parseServerCommand({ v: PROTOCOL_VERSION, type }), /unknown message type/, type);
    }
  });
});
