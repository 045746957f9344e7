// The serving filter in the real completion server (issue 15): a load command naming a tiny
// reward model folder and a mode; filter.json's threshold for that mode decides. A threshold
// above any score holds every suggestion back (reply heldBack: true, text ""); one below any
// score holds nothing back (no heldBack, the model's text).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeSafetensors } from "../../../src/core/formats/safetensors";
import { SCORE_FILE, SCORE_WEIGHT } from "../../../src/engine/reward/reward-model";
import { FILTER_FILE } from "../../../src/core/math/filter-threshold";
import type { ServerReply } from "../../../src/core/protocol";
import { realCode } from "./helpers/real-code";
import { ensureServerBundle } from "./helpers/server-bundle";
import { ServerClient } from "./helpers/server-client";
import { normals, writeTinyCheckpoint, writeTinyServableGguf } from "./helpers/tiny-checkpoint";

const dir = mkdtempSync(join(tmpdir(), "repotune-filter-"));
const gguf = join(dir, "tiny.gguf");
const rewardDir = join(dir, "reward");
let server: ServerClient;

const code = realCode(20_000);
const at = (offset: number) => ({ prefix: code.slice(Math.max(0, offset - 1500), offset), suffix: code.slice(offset, offset + 300) });

before(async () => {
  await writeTinyServableGguf(dir);
  // A tiny reward model: a random checkpoint plus a random score head.
  const cfg = await writeTinyCheckpoint(rewardDir, { seed: 5, config: { max_position_embeddings: 256 } });
  const randn = normals(11);
  const head = new Float32Array(cfg.hidden_size).map(() => randn(0.1));
  writeSafetensors(join(rewardDir, SCORE_FILE), [[SCORE_WEIGHT, { dtype: "F32", shape: [1, cfg.hidden_size], data: head }]]);
  // balanced: below any score (shows all); strict: above any score (holds all back).
  writeFileSync(join(rewardDir, FILTER_FILE), JSON.stringify({ version: 1, seqLen: 96, auc: 0.7, items: 10, bySource: { editor: 0, synthetic: 10 }, thresholds: { balanced: -1e30, strict: 1e30 } }));
  server = new ServerClient(await ensureServerBundle());
});

after(async () => {
  if (server) await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function load(mode: "balanced" | "strict"): Promise<void> {
  const seen = new Set(server.replies);
  server.send({ type: "load", modelPath: gguf, threads: 1, filter: { mode, rewardModelDir: rewardDir } });
  const r = await server.next((x) => !seen.has(x) && (x.type === "ready" || x.type === "error"), 60_000);
  assert.equal(r.type, "ready", JSON.stringify(r));
}

describe("completion server filter", () => {
  it("a threshold under every score holds nothing back: the model's text, no heldBack", async () => {
    await load("balanced");
    const p = at(8000);
    const r = (await server.complete("b1", p.prefix, p.suffix)) as Extract<ServerReply, { type: "completion" }>;
    assert.equal(r.type, "completion", JSON.stringify(r));
    assert.ok(r.text.length > 0, JSON.stringify(r));
    assert.equal(r.heldBack, undefined);
  });

  it("a threshold over every score holds the suggestion back: text '' and heldBack true", async () => {
    await load("strict");
    const p = at(9000);
    const r = (await server.complete("s1", p.prefix, p.suffix)) as Extract<ServerReply, { type: "completion" }>;
    assert.equal(r.type, "completion", JSON.stringify(r));
    assert.equal(r.heldBack, true, JSON.stringify(r));
    assert.equal(r.text, "");
  });
});
