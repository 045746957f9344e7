// `repotune models [--json]`, `repotune models pull NAME` and `repotune tune --base NAME` as a
// user runs them: a home folder with a llama.cpp cache, downloads from a loopback hub (HF_ENDPOINT),
// the pulled model listed under its catalogue name and accepted by --base.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeHub, type FakeHub } from "../../helpers/fake-hub";
import { writeTinyGguf } from "../../unit/hub/helpers/tiny-models";
import { CATALOG, catalogPath } from "../../../src/hub";
import type { ModelListing } from "../../../src/cli/commands/models";
import { jobFromOptions } from "../../../src/cli/commands/tune";

const root = join(__dirname, "..", "..", "..");
const home = mkdtempSync(join(tmpdir(), "repotune-models-cli-"));
const modelsDir = join(home, "repotune-models");
const env = { ...process.env, HOME: home, USERPROFILE: home, XDG_CACHE_HOME: join(home, ".cache"), REPOTUNE_MODELS_DIR: modelsDir, HF_HUB_CACHE: "", HF_HOME: "", LLAMA_CACHE: "", OLLAMA_MODELS: "", HF_TOKEN: "" };
let hub: FakeHub;
const served = join(home, "served.gguf");

function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "src/cli/main.ts"), ...args], { cwd: root, env: { ...env, ...extraEnv } });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

before(async () => {
  mkdirSync(join(home, ".cache", "llama.cpp"), { recursive: true });
  writeTinyGguf(join(home, ".cache", "llama.cpp", "tiny-coder.gguf"), { fileType: 1, contextLength: 4096 });
  writeTinyGguf(served, { fileType: 7 });
  const c = CATALOG[0]!;
  hub = await startFakeHub({ files: [{ repo: c.repo, file: c.file, bytes: readFileSync(served), lfs: true }] });
});
after(async () => {
  await hub?.close();
  rmSync(home, { recursive: true, force: true });
});

describe("repotune models", () => {
  it("--json lists what is on the machine and what can be downloaded, in the documented shape", async () => {
    const r = await cli(["models", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as ModelListing[];
    const tiny = list.find((m) => m.name === "tiny-coder");
    assert.ok(tiny, JSON.stringify(list));
    assert.equal(tiny.source, "llama.cpp");
    assert.equal(tiny.path, join(home, ".cache", "llama.cpp", "tiny-coder.gguf"));
    assert.equal(tiny.architecture, "qwen2");
    assert.equal(tiny.quantization, "F16");
    assert.equal(tiny.contextLength, 4096);
    assert.ok(tiny.sizeBytes > 0 && typeof tiny.trainable === "boolean" && typeof tiny.servable === "boolean");
    const downloads = list.filter((m) => m.source === "download");
    assert.deepEqual(downloads.map((m) => m.name), CATALOG.map((c) => c.name));
    assert.ok(downloads.every((m) => m.path === undefined && m.quantization === "Q8_0" && m.servable));
    const human = await cli(["models"]);
    assert.match(human.stdout, /NAME\s+SOURCE\s+ARCH/);
    assert.match(human.stdout, /qwen2\.5-coder-1\.5b\s+download/);
  });

  it("pull downloads from the endpoint (HF_ENDPOINT), checksummed; then the model is listed by its name and --base takes it", async () => {
    const c = CATALOG[0]!;
    assert.throws(() => withModelsDir(() => jobFromOptions({ repo: root, preset: "micro", backend: "auto", activate: "never", maxHeapMb: "4096", base: c.name })), /is not downloaded yet: run `repotune models pull qwen2\.5-coder-0\.5b`/);
    const r = await cli(["models", "pull", c.name, "--json"], { HF_ENDPOINT: hub.endpoint });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { path: string; sha256: string; alreadyPresent: boolean };
    assert.equal(result.path, catalogPath(c, modelsDir));
    assert.equal(result.sha256, hub.sha256(readFileSync(served)));
    assert.deepEqual(readFileSync(result.path), readFileSync(served));
    assert.ok(hub.requests.some((q) => q.url.includes(`/${c.repo}/resolve/`)), "asked the hub's resolve URL");
    const list = JSON.parse((await cli(["models", "--json"])).stdout) as ModelListing[];
    const pulled = list.find((m) => m.name === c.name);
    assert.equal(pulled?.source, "repotune");
    assert.equal(pulled?.path, result.path);
    const job = withModelsDir(() => jobFromOptions({ repo: root, preset: "micro", backend: "auto", activate: "never", maxHeapMb: "4096", base: c.name }));
    assert.equal(job.base, result.path);
    const again = await cli(["models", "pull", c.name, "--json"], { HF_ENDPOINT: hub.endpoint });
    assert.equal((JSON.parse(again.stdout) as { alreadyPresent: boolean }).alreadyPresent, true);
  });

  it("pull of an unknown name, or from an endpoint that is down, says what is wrong", async () => {
    const unknown = await cli(["models", "pull", "gpt-17"]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /gpt-17 is not one RepoTune can download; choose one of qwen2\.5-coder-0\.5b/);
    rmSync(catalogPath(CATALOG[1]!, modelsDir), { force: true });
    const down = await cli(["models", "pull", CATALOG[1]!.name], { HF_ENDPOINT: "http://127.0.0.1:9" });
    assert.notEqual(down.code, 0);
    assert.match(down.stderr, /cannot reach http:\/\/127\.0\.0\.1:9/);
    assert.ok(!existsSync(catalogPath(CATALOG[1]!, modelsDir)));
  });
});

function withModelsDir<T>(fn: () => T): T {
  const saved = process.env.REPOTUNE_MODELS_DIR;
  process.env.REPOTUNE_MODELS_DIR = modelsDir;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.REPOTUNE_MODELS_DIR;
    else process.env.REPOTUNE_MODELS_DIR = saved;
  }
}
