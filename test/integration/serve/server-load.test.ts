// Twenty clients at once against the completion server, some cancelling as typing does: every
// request is answered exactly once (none lost, none twice, no reply to an id never sent). The
// figures of a minute of it (RSS over time, p95) are bench/serve-load.ts's, not asserted here.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runLoad } from "../../../bench/serve-load-driver";
import { realCode } from "./helpers/real-code";
import { ensureServerBundle } from "./helpers/server-bundle";
import { writeTinyServableGguf } from "./helpers/tiny-checkpoint";

const dir = mkdtempSync(join(tmpdir(), "repotune-load-"));
const gguf = join(dir, "tiny.gguf");
after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  await writeTinyServableGguf(dir);
});

describe("completion server under twenty clients at once", { timeout: 120_000 }, () => {
  it("answers every request exactly once, cancelled ones included", async (t) => {
    const code = realCode(40_000);
    const places = Array.from({ length: 50 }, (_, i) => {
      const at = 2000 + i * 700;
      return { prefix: code.slice(at - 1500, at), suffix: code.slice(at, at + 300) };
    });
    const r = await runLoad({ serverScript: await ensureServerBundle(), modelPath: gguf, clients: 20, seconds: 5, places, cancelShare: 0.1 });
    t.diagnostic(`${r.sent} requests in ${r.seconds.toFixed(1)} s: ${r.completions} completions, ${r.cancelled} cancelled, ${r.errors} errors; p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms`);
    assert.ok(r.sent >= 100, `only ${r.sent} requests`);
    assert.equal(r.lost, 0, "requests never answered");
    assert.equal(r.duplicates, 0, "requests answered twice");
    assert.equal(r.strays, 0, "replies to ids never sent");
    assert.equal(r.errors, 0);
    assert.ok(r.cancelled > 0 && r.completions > r.cancelled);
  });
});
