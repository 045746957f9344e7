// The completion server's logic with a scripted engine: protocol validation, cache and
// type-through, cancellation, prefetch after a suggestion, pre-emption, and errors that
// never escape.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PROTOCOL_VERSION, type ServerReply } from "../../../src/core/protocol";
import { CompletionService, type CompletionServiceOptions } from "../../../src/serve/completion-service";
import { AbortedError, type CompletionEngine, type GenerateRequest, type GenerateResult } from "../../../src/serve/completion-engine";

/** Answers from a table keyed by prefix (a sampled request: "prefix#seed" first), one character per "token", a tick per token. */
class ScriptedEngine implements CompletionEngine {
  readonly modelPath = "/models/tiny.gguf";
  readonly device = "cpu (1 thread)";
  readonly calls: GenerateRequest[] = [];
  constructor(
    private readonly answers: Record<string, string>,
    private readonly msPerToken = 1,
  ) {}
  async generate(req: GenerateRequest): Promise<GenerateResult> {
    this.calls.push(req);
    const full = (req.sampling ? this.answers[`${req.prefix}#${req.sampling.seed}`] : undefined) ?? this.answers[req.prefix];
    if (full === undefined) throw new Error(`no scripted answer for ${JSON.stringify(req.prefix)}`);
    let text = "";
    for (const ch of full) {
      await new Promise((r) => setTimeout(r, this.msPerToken));
      if (req.signal?.aborted) throw new AbortedError();
      text += ch;
      if (req.shouldStop?.(text) || text.length >= req.maxTokens) break;
    }
    return { text, tokens: text.length, promptTokens: 10, reusedTokens: 0, stop: "rule", firstTokenMs: 1, totalMs: text.length };
  }
  async dispose(): Promise<void> {}
}

function setup(answers: Record<string, string>, options: CompletionServiceOptions & { msPerToken?: number; failLoad?: boolean } = {}) {
  const replies: ServerReply[] = [];
  const engine = new ScriptedEngine(answers, options.msPerToken);
  const service = new CompletionService(
    (r) => replies.push(r),
    async (path) => {
      if (options.failLoad) throw new Error(`${path}: not a GGUF file`);
      return engine;
    },
    options,
  );
  const complete = (id: string, prefix: string, extra: Partial<{ suffix: string; mode: "line" | "block"; maxTokens: number }> = {}) =>
    service.handle({ v: PROTOCOL_VERSION, type: "complete", id, prefix, suffix: extra.suffix ?? "", languageId: "typescript", maxTokens: extra.maxTokens ?? 64, mode: extra.mode ?? "line" });
  const load = async () => {
    service.handle({ v: PROTOCOL_VERSION, type: "load", modelPath: "/models/tiny.gguf" });
    await service.idle();
  };
  const byId = (id: string) => replies.filter((r) => "id" in r && r.id === id);
  return { service, engine, replies, complete, load, byId };
}

describe("completion service", () => {
  it("answers load with ready, then a post-processed completion, then the same from the cache", async () => {
    const t = setup({ "const x = ": "compute(1);\nmore();" }, { prefetch: false });
    await t.load();
    assert.deepEqual(t.replies[0], { v: PROTOCOL_VERSION, type: "ready", modelPath: "/models/tiny.gguf", device: "cpu (1 thread)" });
    t.complete("1", "const x = ");
    await t.service.idle();
    const [first] = t.byId("1");
    assert.ok(first?.type === "completion");
    assert.equal(first.text, "compute(1);");
    assert.equal(first.cached, false);
    assert.equal(t.engine.calls.length, 1);
    assert.ok(t.engine.calls[0]!.shouldStop!("compute(1);\n"), "line mode stops generation at the line break");
    t.complete("2", "const x = ");
    const [second] = t.byId("2");
    assert.ok(second?.type === "completion" && second.cached && second.text === "compute(1);");
    assert.ok(second.latencyMs < 5, `cache hit took ${second.latencyMs} ms`);
    t.complete("3", "const x = comp");
    const [third] = t.byId("3");
    assert.ok(third?.type === "completion" && third.cached && third.text === "ute(1);", "type-through");
    assert.equal(t.engine.calls.length, 1);
  });

  it("replies with an error, never a throw, to malformed messages", async () => {
    const t = setup({});
    for (const bad of [null, 42, "complete", {}, { v: 99, type: "complete" }, { v: PROTOCOL_VERSION, type: "nope" }, { v: PROTOCOL_VERSION, type: "complete", id: "7" }]) {
      assert.doesNotThrow(() => t.service.handle(bad));
    }
    assert.equal(t.replies.length, 7);
    assert.ok(t.replies.every((r) => r.type === "error" && r.message.length > 0 && r.hint.length > 0));
    assert.equal((t.replies[6] as { id?: string }).id, "7", "the id is echoed when there is one");
  });

  it("rejects a nonsensical thread count", () => {
    const t = setup({});
    t.service.handle({ v: PROTOCOL_VERSION, type: "load", modelPath: "/m.gguf", threads: -2 });
    assert.match((t.replies[0] as { message: string }).message, /threads must be a whole number/);
  });

  it("says so when no model is loaded, and when loading fails", async () => {
    const t = setup({}, { failLoad: true });
    t.complete("1", "x");
    assert.match((t.byId("1")[0] as { message: string }).message, /No model is loaded/);
    await t.load();
    const err = t.replies.at(-1)!;
    assert.ok(err.type === "error" && /not a GGUF file/.test(err.message));
  });

  it("cancels a running request by id: 'cancelled', no completion", async () => {
    const t = setup({ a: "x".repeat(50) }, { msPerToken: 5, prefetch: false });
    await t.load();
    t.complete("1", "a", { mode: "block" });
    await new Promise((r) => setTimeout(r, 20));
    t.service.handle({ v: PROTOCOL_VERSION, type: "cancel", id: "1" });
    await t.service.idle();
    assert.deepEqual(t.byId("1").map((r) => r.type), ["cancelled"]);
  });

  it("cancels a queued request without running it", async () => {
    const t = setup({ a: "aaaa", b: "bbbb" }, { msPerToken: 3, prefetch: false });
    await t.load();
    t.complete("1", "a");
    t.complete("2", "b");
    t.service.handle({ v: PROTOCOL_VERSION, type: "cancel", id: "2" });
    await t.service.idle();
    assert.deepEqual(t.byId("2").map((r) => r.type), ["cancelled"]);
    assert.deepEqual(t.byId("1").map((r) => r.type), ["completion"]);
    assert.deepEqual(t.engine.calls.map((c) => c.prefix), ["a"]);
  });

  it("prefetches the suggestion after accepting one, so the next request is a cache hit", async () => {
    const t = setup({ "f(": "a,", "f(a,": " b)" });
    await t.load();
    t.complete("1", "f(");
    await t.service.idle();
    assert.deepEqual(t.engine.calls.map((c) => c.prefix), ["f(", "f(a,"]);
    t.complete("2", "f(a,");
    const [hit] = t.byId("2");
    assert.ok(hit?.type === "completion" && hit.cached && hit.text === " b)");
  });

  it("a request for the place being prefetched adopts the prefetch", async () => {
    const t = setup({ "f(": "a,", "f(a,": "bbbbbbbbbb" }, { msPerToken: 3 });
    await t.load();
    t.complete("1", "f(");
    await new Promise((r) => setTimeout(r, 20)); // "1" done, prefetch of "f(a," under way
    t.complete("2", "f(a,");
    await t.service.idle();
    const [reply] = t.byId("2");
    assert.ok(reply?.type === "completion" && !reply.cached && reply.text === "bbbbbbbbbb");
    assert.equal(t.engine.calls.filter((c) => c.prefix === "f(a,").length, 1, "generated once");
  });

  it("a user request pre-empts a running prefetch", async () => {
    const t = setup({ "f(": "a,", "f(a,": "b".repeat(40), other: "o" }, { msPerToken: 3 });
    await t.load();
    t.complete("1", "f(");
    await new Promise((r) => setTimeout(r, 20));
    const started = performance.now();
    t.complete("2", "other");
    await t.service.idle();
    assert.ok(t.byId("2")[0]?.type === "completion");
    const prefetch = t.engine.calls.find((c) => c.prefix === "f(a,");
    if (prefetch) assert.equal(prefetch.signal?.aborted, true, "the prefetch was aborted");
    assert.ok(performance.now() - started < 100, "did not wait for the 40-token prefetch");
  });

  it("reports an engine failure on that request and keeps serving", async () => {
    const t = setup({ ok: "fine" }, { prefetch: false });
    await t.load();
    t.complete("1", "unknown place");
    t.complete("2", "ok");
    await t.service.idle();
    const err = t.byId("1")[0];
    assert.ok(err?.type === "error" && /Completion failed/.test(err.message));
    assert.ok(t.byId("2")[0]?.type === "completion");
  });

  it("lets a reranker hold back a suggestion", async () => {
    const t = setup({ a: "bad idea", b: "good idea" }, {
      prefetch: false,
      reranker: { threshold: 0, score: async (_place, c) => c.map((x) => (x.startsWith("good") ? 1 : -1)) },
    });
    await t.load();
    t.complete("1", "a");
    t.complete("2", "b");
    await t.service.idle();
    assert.equal((t.byId("1")[0] as { text: string }).text, "");
    assert.equal((t.byId("2")[0] as { text: string }).text, "good idea");
  });

  it("loads the filter a load command asks for, marks what it holds back, counts it, and serves unfiltered when it cannot load", async () => {
    const asked: unknown[] = [];
    let fail = false;
    const t = setup({ a: "bad idea", b: "good idea" }, {
      prefetch: false,
      loadFilter: async (f) => {
        asked.push(f);
        if (fail) throw new Error("no score.safetensors");
        return { threshold: 0, score: async (_place, c) => c.map((x) => (x.startsWith("good") ? 1 : -1)) };
      },
    });
    t.service.handle({ v: PROTOCOL_VERSION, type: "load", modelPath: "/models/tiny.gguf", filter: { mode: "strict", rewardModelDir: "/run/reward/model" } });
    await t.service.idle();
    assert.deepEqual(asked, [{ mode: "strict", rewardModelDir: "/run/reward/model" }]);
    t.complete("1", "a");
    t.complete("2", "b");
    await t.service.idle();
    assert.deepEqual(t.byId("1")[0], { v: PROTOCOL_VERSION, type: "completion", id: "1", text: "", latencyMs: (t.byId("1")[0] as { latencyMs: number }).latencyMs, cached: false, heldBack: true });
    assert.equal((t.byId("2")[0] as { heldBack?: boolean }).heldBack, undefined);
    assert.deepEqual(t.service.filterStats, { judged: 2, heldBack: 1 });
    // Asked again, the held-back place is answered from the cache, still held back, and says so.
    t.complete("1b", "a");
    await t.service.idle();
    assert.deepEqual(t.byId("1b")[0], { v: PROTOCOL_VERSION, type: "completion", id: "1b", text: "", latencyMs: (t.byId("1b")[0] as { latencyMs: number }).latencyMs, cached: true, heldBack: true });
    fail = true;
    t.service.handle({ v: PROTOCOL_VERSION, type: "load", modelPath: "/models/tiny.gguf", filter: { mode: "balanced", rewardModelDir: "/gone" } });
    await t.service.idle();
    assert.ok(t.replies.some((r) => r.type === "error" && /filter could not load/.test(r.message)));
    t.complete("3", "a");
    await t.service.idle();
    assert.equal((t.byId("3")[0] as { text: string }).text, "bad idea", "unfiltered");
    assert.deepEqual(t.service.filterStats, { judged: 0, heldBack: 0 });
  });

  it("best-of-n: the greedy candidate and n - 1 sampled ones, seeded, and the reward model picks; the threshold still holds all back", async () => {
    const judged: string[][] = [];
    const t = setup({ a: "plain", "a#1": "good one", "a#2": "plain", b: "bad", "b#1": "worse", "b#2": "bad" }, {
      prefetch: false,
      loadFilter: async (f) => ({
        ...(f.mode === "off" ? {} : { threshold: 0 }),
        score: async (_place, c) => {
          judged.push([...c]);
          return c.map((x) => (x.startsWith("good") ? 1 : x === "plain" ? 0.5 : -1));
        },
      }),
    });
    t.service.handle({ v: PROTOCOL_VERSION, type: "load", modelPath: "/models/tiny.gguf", filter: { mode: "off", rewardModelDir: "/run/reward/model", bestOf: 3 } });
    await t.service.idle();
    t.complete("1", "a");
    await t.service.idle();
    assert.equal((t.byId("1")[0] as { text: string }).text, "good one", "a sampled candidate the reward model prefers to the greedy one");
    assert.deepEqual(t.engine.calls.map((c) => c.sampling?.seed ?? null), [null, 1, 2]);
    assert.ok(t.engine.calls.slice(1).every((c) => c.sampling!.temperature > 0 && c.sampling!.topP <= 1));
    assert.deepEqual(judged[0], ["plain", "good one"], "each distinct candidate scored once, greedy first");
    // Mode off holds nothing back, however low the best score.
    t.complete("2", "b");
    await t.service.idle();
    assert.equal((t.byId("2")[0] as { text: string }).text, "bad");
    // With a threshold, best-of-n still holds back a place where every candidate scores under it.
    t.service.handle({ v: PROTOCOL_VERSION, type: "load", modelPath: "/models/tiny.gguf", filter: { mode: "strict", rewardModelDir: "/run/reward/model", bestOf: 3 } });
    await t.service.idle();
    t.complete("3", "b");
    await t.service.idle();
    assert.equal((t.byId("3")[0] as { heldBack?: boolean }).heldBack, true);
    assert.deepEqual(t.service.filterStats, { judged: 1, heldBack: 1 });
  });

  it("rejects a load with bestOf outside 1-8", async () => {
    const t = setup({});
    t.service.handle({ v: PROTOCOL_VERSION, type: "load", modelPath: "/m.gguf", filter: { mode: "off", rewardModelDir: "/r", bestOf: 9 } });
    await t.service.idle();
    assert.ok(t.replies[0]?.type === "error");
  });

  it("rejects a load with an unknown filter mode", async () => {
    const t = setup({});
    t.service.handle({ v: PROTOCOL_VERSION, type: "load", modelPath: "/m.gguf", filter: { mode: "lenient", rewardModelDir: "/r" } });
    await t.service.idle();
    assert.ok(t.replies[0]?.type === "error");
  });

  it("clamps maxTokens and rejects nonsense", async () => {
    const t = setup({ a: "x".repeat(100) }, { prefetch: false, maxTokensLimit: 8 });
    await t.load();
    t.complete("1", "a", { maxTokens: 1000, mode: "block" });
    t.complete("2", "a", { maxTokens: 0 });
    await t.service.idle();
    assert.equal((t.byId("1")[0] as { text: string }).text.length, 8);
    assert.equal(t.byId("2")[0]?.type, "error");
  });
});
