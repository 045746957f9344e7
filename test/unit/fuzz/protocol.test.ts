// Fuzzing the protocol validators (worker and server IPC, the dashboard page): a message of any
// shape is accepted as typed or refused with a ProtocolError whose message is short, never a
// TypeError from inside the validator (a BigInt type, a null-prototype version) and never slow.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import {
  makeWorkerEvent, parseDashboardRequest, parseDashboardUpdate, parseServerCommand, parseServerReply, parseWorkerCommand, parseWorkerEvent,
  ProtocolError, PROTOCOL_VERSION,
} from "../../../src/core/protocol";
import { previewValue } from "../../../src/core/untrusted/preview-value";
import { checkReader, deepJson, newStats, SEED } from "./harness";

const v = PROTOCOL_VERSION;
const PARSERS = { parseWorkerCommand, parseWorkerEvent, parseServerCommand, parseServerReply, parseDashboardRequest, parseDashboardUpdate } as const;
type ParserName = keyof typeof PARSERS;

/** One valid message of each side, to mutate. */
const VALID: Record<ParserName, object[]> = {
  parseWorkerCommand: [{ v, type: "start", job: { repo: "/r", out: "/o", preset: "tiny", backend: "auto", resume: false, stages: ["sft"] } }, { v, type: "cancel" }],
  parseWorkerEvent: [
    makeWorkerEvent({ type: "progress", stage: "sft", step: 3, totalSteps: 10, loss: 2.5, lr: 1e-3, tokensPerSec: 400, etaSec: 12, rssMb: 300, metrics: { a: 0.1 } }, new Date(0)),
    makeWorkerEvent({ type: "eval", stage: "eval", metrics: { exactMatch: 0.25, preferenceAccuracy: null } }, new Date(0)),
    makeWorkerEvent({ type: "done", artifacts: { model: "/m.gguf" } }, new Date(0)),
  ],
  parseServerCommand: [{ v, type: "complete", id: "1", prefix: "a", suffix: "b", languageId: "ts", maxTokens: 16, mode: "line", budget: { prefixTokens: 10, suffixTokens: 5 }, repo: { name: "r", path: "a.ts", files: [{ path: "b.ts", text: "x" }] } }],
  parseServerReply: [{ v, type: "completion", id: "1", text: "x", latencyMs: 3, cached: false }, { v, type: "error", message: "m", hint: "h" }],
  parseDashboardRequest: [{ v, type: "action", action: "exportModel", format: "gguf", runId: "r-1" }, { v, type: "selectRun", runId: "r1" }],
  parseDashboardUpdate: [
    { v, type: "events", runId: "r1", reset: true, events: [makeWorkerEvent({ type: "log", level: "info", message: "hi" }, new Date(0))] },
    { v, type: "report", runId: "r1", report: { stages: { base: { exactMatch: 0.1 }, sft: null } } },
    { v, type: "dataset", runId: "r1", dataset: { filesKept: 1, filesExcluded: 0, excludedByReason: {}, excluded: [], samplesByKind: {}, tokens: {} } },
  ],
};

const stats = newStats();
function check(name: ParserName, raw: unknown): void {
  const err = checkReader([ProtocolError], () => PARSERS[name](raw), () => `${name}(${previewValue(raw, 300)})`, stats);
  if (err) assert.ok(err.message.length < 600, `a message of ${err.message.length} characters: ${err.message.slice(0, 200)}`);
}

const parserName = fc.constantFrom(...(Object.keys(PARSERS) as ParserName[]));
/** Everything fast-check can make, BigInts, null prototypes, Maps and typed arrays included. */
const anything = fc.anything({ maxDepth: 3, withBigInt: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withDate: true });

describe("fuzzing the protocol validators", () => {
  it("accepts each valid message (the fuzzing starts from messages that work)", () => {
    for (const [name, messages] of Object.entries(VALID)) for (const m of messages) PARSERS[name as ParserName](m);
  });

  it("any value at all", () => {
    fc.assert(fc.property(parserName, anything, (name, raw) => check(name, raw)), { seed: SEED, numRuns: 2000 });
  });

  it("an object with the right version and any type and fields", () => {
    const type = fc.oneof(anything, fc.constantFrom("start", "cancel", "progress", "eval", "done", "complete", "load", "action", "events", "report", "__proto__", "constructor"));
    const message = fc.record({ type, extra: fc.dictionary(fc.string({ maxLength: 8 }), anything, { maxKeys: 4 }) }).map(({ type, extra }) => ({ ...extra, v, type }));
    fc.assert(fc.property(parserName, message, (name, raw) => check(name, raw)), { seed: SEED, numRuns: 1500 });
  });

  it("valid messages with one or two fields changed, removed or given the wrong version", () => {
    const edit = fc.record({ key: fc.constantFrom("v", "type", "time", "job", "stage", "step", "metrics", "artifacts", "id", "maxTokens", "budget", "repo", "runId", "events", "report", "dataset", "action"), value: fc.option(anything, { nil: undefined }) });
    const mutated = parserName.chain((name) =>
      fc.tuple(fc.constant(name), fc.constantFrom(...VALID[name]), fc.array(edit, { minLength: 1, maxLength: 2 })).map(([n, base, edits]) => {
        const m: Record<string, unknown> = { ...(base as Record<string, unknown>) };
        for (const e of edits) {
          if (e.value === undefined) delete m[e.key];
          else m[e.key] = e.value;
        }
        return [n, m] as const;
      }),
    );
    fc.assert(fc.property(mutated, ([name, raw]) => check(name, raw)), { seed: SEED, numRuns: 1500 });
  });

  it("the shapes that used to break the message: a BigInt or deep type, a null-prototype version, huge strings", () => {
    const deep = JSON.parse(deepJson(50_000)) as unknown;
    const nullProto = Object.create(null) as object;
    const huge = "x".repeat(5_000_000);
    for (const name of Object.keys(PARSERS) as ParserName[]) {
      for (const raw of [
        { v, type: 10n }, { v, type: deep }, { v, type: huge }, { v: nullProto, type: "cancel" }, { v: 10n, type: "cancel" }, { v: deep },
        { v, type: Symbol("t") }, { v: Symbol("v") }, { v: huge }, deep, nullProto, Object.assign(Object.create(null) as object, { v, type: "cancel" }),
        { ...VALID[name][0], id: huge, runId: huge, message: deep, job: deep, events: deep, report: deep },
      ]) {
        check(name, raw);
      }
    }
    assert.throws(() => parseWorkerCommand({ v, type: 10n }), /worker command: unknown message type 10n; expected one of start, cancel/);
    assert.throws(() => parseWorkerCommand({ v: nullProto, type: "cancel" }), /worker command: protocol version \{\} is not 1/);
  });

  after(() => {
    console.log(`protocol fuzz: ${stats.inputs} messages, ${stats.returned} accepted, ${stats.threw} refused, slowest ${stats.slowestMs.toFixed(1)} ms`);
  });
});
