// findModels over a temporary HOME laid out as each tool lays out its models: the Hugging Face
// cache (refs/main, snapshots linking into blobs), llama.cpp's cache, LM Studio, Ollama
// (manifest + blob), node-llama-cpp, RepoTune's folder and a user path, with the files a real
// machine has beside models (adapters, .part files, split shards, corrupt files, a symlink loop).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CATALOG, catalogPath, findModels, modelLocations, repotuneModelsFolder, type FoundModel } from "../../../src/hub";
import { GGUF_PARAMETERS, HF_PARAMETERS, setTensorType, writeTinyGguf, writeTinyHfFolder } from "./helpers/tiny-models";

const tmp = mkdtempSync(join(tmpdir(), "repotune-find-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const REV = "a".repeat(40);
const OLD_REV = "b".repeat(40);

/** Moves `file` into blobs/ under its sha256 and leaves a relative link in its place, as huggingface_hub does. */
function toBlob(repoDir: string, file: string, relFromSnapshot: string): void {
  const hash = createHash("sha256").update(readFileSync(file)).digest("hex");
  mkdirSync(join(repoDir, "blobs"), { recursive: true });
  renameSync(file, join(repoDir, "blobs", hash));
  symlinkSync(join(relFromSnapshot, "blobs", hash), file);
}

function makeHfCache(hub: string): void {
  // An HF model folder: config.json + model.safetensors + tokenizer.json, all links to blobs.
  const repo = join(hub, "models--Qwen--Tiny-Coder");
  const snap = join(repo, "snapshots", REV);
  mkdirSync(snap, { recursive: true });
  mkdirSync(join(repo, "refs"), { recursive: true });
  writeFileSync(join(repo, "refs", "main"), REV);
  writeTinyHfFolder(snap, { context: 4096 });
  for (const f of readdirSync(snap)) toBlob(repo, join(snap, f), "../..");
  // An older snapshot of the same repo: not listed (refs/main says which one is current).
  mkdirSync(join(repo, "snapshots", OLD_REV), { recursive: true });
  writeTinyHfFolder(join(repo, "snapshots", OLD_REV));
  // A GGUF repo: the .gguf in the snapshot is the model.
  const g = join(hub, "models--ggml-org--Tiny-GGUF");
  const gsnap = join(g, "snapshots", REV);
  mkdirSync(gsnap, { recursive: true });
  mkdirSync(join(g, "refs"), { recursive: true });
  writeFileSync(join(g, "refs", "main"), `${REV}\n`);
  writeTinyGguf(join(gsnap, "tiny-f16.gguf"), { fileType: 1 });
  toBlob(g, join(gsnap, "tiny-f16.gguf"), "../..");
  // Not models: a dataset repo and the lock folder.
  mkdirSync(join(hub, "datasets--org--data", "snapshots", REV), { recursive: true });
  mkdirSync(join(hub, ".locks"), { recursive: true });
}

/** Writes a tiny GGUF as an Ollama blob; returns its digest's hex. */
function ollamaBlob(blobs: string, contextLength: number): string {
  const tmpBlob = join(blobs, "tmp.gguf");
  writeTinyGguf(tmpBlob, { fileType: 15, contextLength }); // Q4_K_M, as Ollama's default tags are
  const hex = createHash("sha256").update(readFileSync(tmpBlob)).digest("hex");
  renameSync(tmpBlob, join(blobs, `sha256-${hex}`));
  return hex;
}

function makeOllama(root: string): string {
  const blobs = join(root, "blobs");
  mkdirSync(blobs, { recursive: true });
  const [shared, alice, bob] = [8192, 4096, 1024].map((n) => ollamaBlob(blobs, n));
  const manifest = (hex: string) =>
    JSON.stringify({
      schemaVersion: 2,
      config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: `sha256:${"0".repeat(64)}` },
      layers: [
        { mediaType: "application/vnd.ollama.image.template", digest: `sha256:${"1".repeat(64)}`, size: 10 },
        { mediaType: "application/vnd.ollama.image.model", digest: `sha256:${hex}`, size: 100 },
      ],
    });
  const tags: [string, string, string, string, string][] = [
    ["registry.ollama.ai", "library", "qwen2.5-coder", "1.5b-base", shared!],
    ["registry.ollama.ai", "library", "qwen2.5-coder", "latest", shared!], // an alias: same blob, listed once
    ["registry.ollama.ai", "alice", "coder", "tiny", alice!],
    ["hf.co", "bob", "model", "Q8_0", bob!],
    ["registry.ollama.ai", "library", "gone", "latest", "2".repeat(64)], // its blob is missing: skipped
  ];
  for (const [host, ns, name, tag, hex] of tags) {
    const dir = join(root, "manifests", host, ns, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, tag), manifest(hex));
  }
  writeFileSync(join(root, "manifests", "registry.ollama.ai", "library", "gone", "junk"), "not json");
  return join(blobs, `sha256-${shared}`);
}

// The machine.
const home = join(tmp, "home");
const env: NodeJS.ProcessEnv = {}; // nothing set: every default location
makeHfCache(join(home, ".cache", "huggingface", "hub"));
mkdirSync(join(home, ".cache", "llama.cpp"), { recursive: true });
writeTinyGguf(join(home, ".cache", "llama.cpp", "bartowski_Tiny-Llama-Q8_0.gguf"), { architecture: "llama", fileType: 7 });
writeTinyGguf(join(home, ".cache", "llama.cpp", "half-done.gguf")); // about to be renamed...
renameSync(join(home, ".cache", "llama.cpp", "half-done.gguf"), join(home, ".cache", "llama.cpp", "half-done.gguf.part")); // ...a partial download
const lms = join(home, ".lmstudio", "models", "lmstudio-community", "Tiny-GGUF");
mkdirSync(lms, { recursive: true });
writeTinyGguf(join(lms, "Tiny-F32.gguf"), { embeddingType: "F32" }); // no file_type: the type holding most bytes
writeTinyGguf(join(lms, "Big-00001-of-00002.gguf"), { fileType: 1 });
writeTinyGguf(join(lms, "Big-00002-of-00002.gguf"), { fileType: 1 });
const ollamaShared = makeOllama(join(home, ".ollama", "models"));
const nlc = join(home, ".node-llama-cpp", "models");
mkdirSync(nlc, { recursive: true });
writeTinyGguf(join(nlc, "hf_microsoft_Phi-3-mini.gguf"), { architecture: "phi3", fileType: 1 });
writeTinyGguf(join(nlc, "exotic-IQ2_XS.gguf"), { fileType: 20 });
setTensorType(join(nlc, "exotic-IQ2_XS.gguf"), "blk.0.attn_q.weight", 17);
const repotune = repotuneModelsFolder(env, home, "linux");
const catalogFile = catalogPath(CATALOG[0]!, repotune);
mkdirSync(join(catalogFile, ".."), { recursive: true });
writeTinyGguf(catalogFile, { fileType: 7 });
writeFileSync(`${catalogFile}.json`, "{}");
// A user path with the odd things: unknown architecture, truncated, not a GGUF at all, an
// adapter, a vocabulary-only file, an HF folder without tokenizer.json, and a link to itself.
const mine = join(tmp, "my-models");
mkdirSync(join(mine, "phi-hf"), { recursive: true });
writeTinyGguf(join(mine, "madeup.gguf"), { architecture: "madeup", fileType: 1 });
writeTinyGguf(join(mine, "truncated.gguf"), { fileType: 1 });
truncateSync(join(mine, "truncated.gguf"), statSync(join(mine, "truncated.gguf")).size - 100);
writeFileSync(join(mine, "notes.gguf"), "these are my notes, not a model\n".repeat(4));
writeTinyGguf(join(mine, "lora-adapter.gguf"), { type: "adapter" });
writeTinyGguf(join(mine, "vocab-only.gguf"), { noTensors: true });
writeTinyHfFolder(join(mine, "phi-hf"), { modelType: "phi3" });
mkdirSync(join(mine, "llama-no-tok"));
writeTinyHfFolder(join(mine, "llama-no-tok"), { modelType: "llama", tokenizer: false });
symlinkSync(mine, join(mine, "loop"));
symlinkSync("..", join(mine, "phi-hf", "up"));
// The same file reached twice: a user path into the HF cache.
const userPaths = [mine, join(home, ".cache", "huggingface", "hub", "models--ggml-org--Tiny-GGUF", "snapshots", REV, "tiny-f16.gguf")];

function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const s = lstatSync(p);
      out.push(`${p} ${s.size} ${s.mtimeMs} ${s.mode}`);
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

describe("findModels", () => {
  const before = [...listing(home), ...listing(mine)];
  const t0 = Date.now();
  const found = findModels({ env, home, platform: "linux", userPaths });
  const elapsed = Date.now() - t0;
  const byName = new Map(found.map((m) => [m.name, m]));
  const get = (name: string): FoundModel => {
    const m = byName.get(name);
    assert.ok(m, `${name} not found; found: ${[...byName.keys()].join(", ")}`);
    return m;
  };

  it("finds exactly the models, each once, quickly, despite the symlink loops", () => {
    assert.deepEqual([...byName.keys()].sort(), [
      "Big-00001-of-00002",
      "Qwen/Tiny-Coder",
      "Tiny-F32",
      "alice/coder:tiny",
      "bartowski_Tiny-Llama-Q8_0",
      "exotic-IQ2_XS",
      "ggml-org/Tiny-GGUF/tiny-f16.gguf",
      "hf.co/bob/model:Q8_0",
      "hf_microsoft_Phi-3-mini",
      "llama-no-tok",
      "madeup",
      "notes",
      "phi-hf",
      "qwen2.5-coder-0.5b-q8_0",
      "qwen2.5-coder:1.5b-base",
      "truncated",
    ]);
    assert.equal(found.length, byName.size, "no name twice");
    assert.ok(elapsed < 10_000, `${elapsed} ms`);
  });

  it("the HF cache: a safetensors snapshot by repo name, sizes through the blob links", () => {
    const m = get("Qwen/Tiny-Coder");
    const snap = join(home, ".cache", "huggingface", "hub", "models--Qwen--Tiny-Coder", "snapshots", REV);
    assert.deepEqual(
      { path: m.path, format: m.format, source: m.source, architecture: m.architecture, parameters: m.parameters, quantisation: m.quantisation, contextLength: m.contextLength, canServe: m.canServe, canTrain: m.canTrain, why: m.why },
      { path: snap, format: "hf", source: "huggingface", architecture: "qwen2", parameters: HF_PARAMETERS, quantisation: "BF16", contextLength: 4096, canServe: true, canTrain: true, why: undefined },
    );
    assert.equal(m.fileBytes, statSync(join(snap, "model.safetensors")).size);
    assert.ok(m.fileBytes > HF_PARAMETERS, "the blob's size, not the link's");
    assert.equal(m.foundIn, join(home, ".cache", "huggingface", "hub"));
    const g = get("ggml-org/Tiny-GGUF/tiny-f16.gguf");
    assert.equal(g.format, "gguf");
    assert.equal(g.source, "huggingface", "the HF cache's name wins over the user path to the same file");
    assert.equal(g.quantisation, "F16");
    assert.equal(g.fileBytes, statSync(g.path).size);
    assert.ok(g.fileBytes > 1000);
  });

  it("GGUFs: architecture, parameters, quantisation, context length and size from the header", () => {
    const l = get("bartowski_Tiny-Llama-Q8_0");
    assert.deepEqual(
      { source: l.source, architecture: l.architecture, parameters: l.parameters, quantisation: l.quantisation, contextLength: l.contextLength, canServe: l.canServe, canTrain: l.canTrain },
      { source: "llama.cpp", architecture: "llama", parameters: GGUF_PARAMETERS, quantisation: "Q8_0", contextLength: 2048, canServe: true, canTrain: true },
    );
    assert.equal(l.fileBytes, statSync(l.path).size);
    const f = get("Tiny-F32");
    assert.equal(f.source, "lm-studio");
    assert.equal(f.quantisation, "F32", "no general.file_type: the type holding most bytes");
    assert.equal(get("Big-00001-of-00002").quantisation, "F16");
    assert.equal(get("qwen2.5-coder-0.5b-q8_0").source, "repotune");
    assert.equal(get("qwen2.5-coder-0.5b-q8_0").path, catalogFile);
  });

  it("Ollama: names as `ollama list` shows them, the blob as the path", () => {
    const o = get("qwen2.5-coder:1.5b-base");
    assert.equal(o.path, ollamaShared);
    assert.equal(o.source, "ollama");
    assert.equal(o.quantisation, "Q4_K_M");
    assert.equal(o.contextLength, 8192);
    assert.equal(o.canTrain, true);
    // The same blob under another tag: de-duplicated by real path, the first tag kept.
    assert.equal(found.filter((m) => m.path === ollamaShared).length, 1);
    assert.equal(byName.has("qwen2.5-coder:latest"), false);
    assert.equal(get("alice/coder:tiny").contextLength, 4096, "a namespace other than library is part of the name");
    assert.equal(get("hf.co/bob/model:Q8_0").contextLength, 1024, "another registry's host is part of the name");
  });

  it("what cannot serve or train says why", () => {
    const phi = get("hf_microsoft_Phi-3-mini");
    assert.equal(phi.source, "node-llama-cpp");
    assert.equal(phi.canServe, true);
    assert.equal(phi.canTrain, false);
    assert.match(phi.why ?? "", /architecture phi3 is not supported for training \(qwen2 and llama are\)/);
    const iq = get("exotic-IQ2_XS");
    assert.equal(iq.canServe, true);
    assert.equal(iq.canTrain, false);
    assert.equal(iq.quantisation, "IQ2_XS");
    assert.match(iq.why ?? "", /tensor blk\.0\.attn_q\.weight is IQ2_XS \(ggml type 17\), which RepoTune cannot dequantise/);
    const madeup = get("madeup");
    assert.equal(madeup.source, "path");
    assert.equal(madeup.foundIn, mine);
    assert.deepEqual([madeup.canServe, madeup.canTrain], [false, false]);
    assert.match(madeup.why ?? "", /architecture madeup is not one llama\.cpp loads/);
    const trunc = get("truncated");
    assert.deepEqual([trunc.canServe, trunc.canTrain, trunc.architecture], [false, false, null]);
    assert.match(trunc.why ?? "", /truncated/);
    const notes = get("notes");
    assert.deepEqual([notes.canServe, notes.canTrain], [false, false]);
    assert.match(notes.why ?? "", /^not a GGUF file/);
    const phiHf = get("phi-hf");
    assert.equal(phiHf.format, "hf");
    assert.equal(phiHf.architecture, "phi3");
    assert.deepEqual([phiHf.canServe, phiHf.canTrain], [false, false]);
    assert.match(phiHf.why ?? "", /phi3/);
    const noTok = get("llama-no-tok");
    assert.deepEqual([noTok.canServe, noTok.canTrain, noTok.parameters], [false, false, HF_PARAMETERS]);
    assert.match(noTok.why ?? "", /no tokenizer\.json/);
  });

  it("skips adapters, vocabulary-only files, .part files, later split shards and old snapshots", () => {
    for (const m of found) {
      assert.ok(!/lora-adapter|vocab-only|half-done|00002-of-00002/.test(m.path), m.path);
      assert.ok(!m.path.includes(OLD_REV), m.path);
    }
  });

  it("sorts usable models first, then by name", () => {
    const rank = (m: FoundModel): number => (m.canTrain ? 2 : 0) + (m.canServe ? 1 : 0);
    for (let i = 1; i < found.length; i++) {
      const a = found[i - 1]!, b = found[i]!;
      assert.ok(rank(a) > rank(b) || (rank(a) === rank(b) && a.name.localeCompare(b.name) <= 0), `${a.name} before ${b.name}`);
    }
    assert.equal(rank(found[0]!), 3);
    assert.equal(rank(found.at(-1)!), 0);
  });

  it("changes nothing on disk", () => {
    assert.deepEqual([...listing(home), ...listing(mine)], before);
  });
});

describe("locations", () => {
  it("environment variables move each tool's folder", () => {
    const alt = join(tmp, "alt");
    makeHfCache(join(alt, "hub-cache"));
    mkdirSync(join(alt, "hf-home", "hub"), { recursive: true });
    mkdirSync(join(alt, "llama"), { recursive: true });
    writeTinyGguf(join(alt, "llama", "moved.gguf"), { fileType: 1 });
    makeOllama(join(alt, "ollama"));
    const emptyHome = join(tmp, "empty-home");
    mkdirSync(emptyHome);
    const moved = findModels({ home: emptyHome, platform: "linux", env: { HF_HUB_CACHE: join(alt, "hub-cache"), LLAMA_CACHE: join(alt, "llama"), OLLAMA_MODELS: join(alt, "ollama") } });
    const names = moved.map((m) => `${m.source} ${m.name}`).sort();
    assert.deepEqual(names, [
      "huggingface Qwen/Tiny-Coder", "huggingface ggml-org/Tiny-GGUF/tiny-f16.gguf",
      "llama.cpp moved", "ollama alice/coder:tiny", "ollama hf.co/bob/model:Q8_0", "ollama qwen2.5-coder:1.5b-base",
    ]);
    // HF_HOME: its hub/ subfolder; HF_HUB_CACHE wins over it.
    renameSync(join(alt, "hub-cache"), join(alt, "hf-home", "hub2"));
    rmSync(join(alt, "hf-home", "hub"), { recursive: true });
    renameSync(join(alt, "hf-home", "hub2"), join(alt, "hf-home", "hub"));
    const viaHome = findModels({ home: emptyHome, platform: "linux", env: { HF_HOME: join(alt, "hf-home") } });
    assert.deepEqual(viaHome.map((m) => m.name).sort(), ["Qwen/Tiny-Coder", "ggml-org/Tiny-GGUF/tiny-f16.gguf"]);
    const roots = modelLocations({ home: "/h", platform: "linux", env: { HF_HOME: "/hf", HF_HUB_CACHE: "/cache" } });
    assert.equal(roots.find((l) => l.kind === "huggingface")!.root, "/cache");
  });

  it("missing folders are fine: an empty home lists nothing", () => {
    assert.deepEqual(findModels({ home: join(tmp, "nobody"), env: {}, platform: "linux", userPaths: [join(tmp, "no-such-dir")] }), []);
  });

  it("defaults per platform", () => {
    const roots = (platform: NodeJS.Platform, e: NodeJS.ProcessEnv = {}) =>
      Object.fromEntries(modelLocations({ home: platform === "win32" ? "C:\\Users\\u" : "/home/u", platform, env: e, userPaths: ["/x/y.gguf"] }).map((l) => [`${l.kind}:${l.root}`, true]));
    assert.deepEqual(Object.keys(roots("linux")), [
      "repotune:/home/u/.cache/repotune/models", "huggingface:/home/u/.cache/huggingface/hub", "llama.cpp:/home/u/.cache/llama.cpp",
      "lm-studio:/home/u/.lmstudio/models", "lm-studio:/home/u/.cache/lm-studio/models", "ollama:/home/u/.ollama/models",
      "node-llama-cpp:/home/u/.node-llama-cpp/models", "path:/x/y.gguf",
    ]);
    const xdg = Object.keys(roots("linux", { XDG_CACHE_HOME: "/xdg" }));
    assert.ok(xdg.includes("repotune:/xdg/repotune/models") && xdg.includes("llama.cpp:/xdg/llama.cpp"), xdg.join(" "));
    const mac = Object.keys(roots("darwin"));
    assert.ok(mac.includes("llama.cpp:/home/u/Library/Caches/llama.cpp") && mac.includes("repotune:/home/u/Library/Caches/repotune/models"), mac.join(" "));
    const win = Object.keys(roots("win32", { LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }));
    assert.ok(win.includes("llama.cpp:C:\\Users\\u\\AppData\\Local\\llama.cpp"), win.join(" "));
    assert.ok(win.includes("repotune:C:\\Users\\u\\AppData\\Local\\repotune\\models"), win.join(" "));
    assert.equal(repotuneModelsFolder({ REPOTUNE_MODELS_DIR: "/big/disk" }, "/home/u", "linux"), "/big/disk");
    assert.equal(repotuneModelsFolder({ REPOTUNE_MODELS_DIR: "  " }, "/home/u", "linux"), "/home/u/.cache/repotune/models", "a blank variable is ignored");
  });
});
