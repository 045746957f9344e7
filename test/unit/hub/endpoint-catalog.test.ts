// hubEndpoint / hubToken (setting > HF_ENDPOINT > default, http(s) only) and the catalog.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CATALOG, catalogModel, catalogPath, formatBytes, hubEndpoint, hubToken } from "../../../src/hub";

describe("hubEndpoint", () => {
  it("the setting, else HF_ENDPOINT, else huggingface.co, without trailing slashes", () => {
    assert.equal(hubEndpoint(undefined, {}), "https://huggingface.co");
    assert.equal(hubEndpoint("", { HF_ENDPOINT: "https://hf-mirror.com/" }), "https://hf-mirror.com");
    assert.equal(hubEndpoint("  ", { HF_ENDPOINT: "https://hf-mirror.com" }), "https://hf-mirror.com");
    assert.equal(hubEndpoint("http://10.0.0.2:8080/hub//", { HF_ENDPOINT: "https://hf-mirror.com" }), "http://10.0.0.2:8080/hub");
  });
  it("refuses what is not an http(s) URL, naming where it came from", () => {
    assert.throws(() => hubEndpoint("ftp://mirror", {}), /repotune\.hub\.endpoint is "ftp:\/\/mirror": only http:\/\/ and https:\/\//);
    assert.throws(() => hubEndpoint(undefined, { HF_ENDPOINT: "mirror.local" }), /HF_ENDPOINT is "mirror\.local", which is not a URL/);
  });
  it("hubToken: HF_TOKEN, else HUGGING_FACE_HUB_TOKEN", () => {
    assert.equal(hubToken({}), undefined);
    assert.equal(hubToken({ HUGGING_FACE_HUB_TOKEN: "old" }), "old");
    assert.equal(hubToken({ HF_TOKEN: "new", HUGGING_FACE_HUB_TOKEN: "old" }), "new");
    assert.equal(hubToken({ HF_TOKEN: " ", HUGGING_FACE_HUB_TOKEN: "old" }), "old");
  });
});

describe("catalog", () => {
  it("holds the three Qwen2.5-Coder Q8_0 GGUFs from ggml-org", () => {
    assert.deepEqual(CATALOG.map((m) => [m.name, m.repo, m.file, m.contextLength]), [
      ["qwen2.5-coder-0.5b", "ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF", "qwen2.5-coder-0.5b-q8_0.gguf", 32768],
      ["qwen2.5-coder-1.5b", "ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF", "qwen2.5-coder-1.5b-q8_0.gguf", 32768],
      ["qwen2.5-coder-3b", "ggml-org/Qwen2.5-Coder-3B-Q8_0-GGUF", "qwen2.5-coder-3b-q8_0.gguf", 32768],
    ]);
    for (const m of CATALOG) assert.ok(m.approxBytes > m.parameters, `${m.name}: Q8_0 is a little over a byte per parameter`);
  });
  it("catalogModel is case-insensitive and exact", () => {
    assert.equal(catalogModel("Qwen2.5-Coder-1.5B")?.repo, "ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF");
    assert.equal(catalogModel(" qwen2.5-coder-3b ")?.name, "qwen2.5-coder-3b");
    assert.equal(catalogModel("qwen2.5-coder"), undefined);
    assert.equal(catalogModel("qwen2.5-coder-7b"), undefined);
  });
  it("catalogPath is stable and keeps the repo in one folder name", () => {
    assert.equal(catalogPath(CATALOG[0]!, "/m"), join("/m", "ggml-org--Qwen2.5-Coder-0.5B-Q8_0-GGUF", "qwen2.5-coder-0.5b-q8_0.gguf"));
  });
  it("formatBytes", () => {
    assert.equal(formatBytes(531_000_000), "531 MB");
    assert.equal(formatBytes(1_650_000_000), "1.65 GB");
    assert.equal(formatBytes(999), "999 bytes");
  });
});
