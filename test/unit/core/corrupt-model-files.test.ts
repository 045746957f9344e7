// Damaged files where the product reads them (model loading, `repotune export`, `repotune eval`):
// a tokenizer.json, GGUF or safetensors file that is something else or cut short, a broken
// adapter_config.json or adapter_model.safetensors, a report.json or manifest.json that is not
// what the pipeline wrote. Each gives an error naming the file, or, for the card's figures, an
// export that goes on without them and says so; never a TypeError from halfway through.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { GgufFormatError, readGguf, readGgufModel } from "../../../src/core/formats/gguf";
import { cardReportFrom, manifestProblem, readCardManifest, readCardReport } from "../../../src/core/formats/hf-export/card-inputs";
import { readLoraFactors } from "../../../src/core/formats/hf-export/merge-lora";
import { renderModelCard, type ModelCardInput } from "../../../src/core/formats/hf-export/model-card";
import { readPeftConfig } from "../../../src/core/formats/hf-export/peft-adapter-folder";
import { SafetensorsError, serializeSafetensors } from "../../../src/core/formats/safetensors";
import { gatherDataset } from "../../../src/core/gather/gather";
import { loadTokenizerJson, TokenizerError } from "../../../src/core/tokenizer";
import { parseAdapterConfig } from "../../../src/core/formats/lora-config";

const dir = mkdtempSync(join(tmpdir(), "repotune-corrupt-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(name: string, content: string | Uint8Array): string {
  const sub = join(dir, `c${n++}`);
  mkdirSync(sub);
  writeFileSync(join(sub, name), content);
  return join(sub, name);
}

/** Throws an Error (not a TypeError or RangeError) whose message starts with the file's path. */
function throwsNaming(fn: () => unknown, path: string, pattern: RegExp, type: abstract new (...a: never[]) => Error = Error): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof type && !(err instanceof TypeError) && !(err instanceof RangeError), `a ${type.name}, got ${String(err)}`);
    assert.ok(err.message.startsWith(path), `names ${path}: ${err.message}`);
    assert.match(err.message, pattern);
    return true;
  });
}

const cardInput = (extra: Partial<ModelCardInput>): ModelCardInput => ({
  role: "teacher", row: "sft", architectureClass: "Qwen2ForCausalLM", parameters: 1e6, layers: 2, hiddenSize: 64, contextLength: 256, dtype: "bf16",
  baseModelId: null, baseModelFile: null, repoName: "demo", manifest: null, report: null, lora: null, adapterFolder: null, ...extra,
});

const zip = Buffer.from("PK\u0003\u0004 this is a zip file, not a model \u0000\u0001\u0002", "latin1");

describe("damaged model files name themselves", () => {
  it("tokenizer.json: binary, another format, cut short", () => {
    const st = serializeSafetensors([["w", { dtype: "F32", shape: [2], data: [1, 2] }]]);
    for (const [content, pattern] of [[zip, /not valid JSON/], [Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not valid UTF-8 \(at byte 1\)/], [st, /not valid (UTF-8|JSON)/], ['{"model": {"type": "BPE", "vocab": {"a": 0', /truncated or not JSON/], [new Uint8Array(0), /the file is empty/]] as const) {
      const path = file("tokenizer.json", content);
      throwsNaming(() => loadTokenizerJson(path), path, pattern, TokenizerError);
    }
  });

  it("GGUF: missing, another format, cut short, as a header or as a whole model", () => {
    const missing = join(dir, "none.gguf");
    throwsNaming(() => readGguf(missing), missing, /cannot be opened \(ENOENT\)/, GgufFormatError);
    const path = file("model.gguf", zip);
    throwsNaming(() => readGguf(path), path, /not a GGUF file/, GgufFormatError);
    throwsNaming(() => readGgufModel(path), path, /not a GGUF file/, GgufFormatError);
    const cut = file("cut.gguf", Buffer.from("GGUF\u0003\u0000\u0000\u0000\u0001", "latin1"));
    throwsNaming(() => readGgufModel(cut), cut, /file ends .* tensor count/, GgufFormatError);
  });

  it("adapter_model.safetensors: cut short, or a zip", () => {
    const good = serializeSafetensors([["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", { dtype: "F32", shape: [2, 4], data: new Float32Array(8) }]]);
    for (const content of [good.subarray(0, good.length - 5), zip, good.subarray(0, 5)]) {
      const path = file("adapter_model.safetensors", content);
      throwsNaming(() => readLoraFactors(path, { r: 2, lora_alpha: 4 }), path, /truncated|not a safetensors|over the/, SafetensorsError);
    }
  });

  it("adapter_config.json: not JSON, not an object, a rank of 0 or of the wrong type", () => {
    for (const [content, pattern] of [
      ["{", /not valid JSON/],
      ["null", /not a JSON object/],
      ["[]", /not a JSON object/],
      ['{"r": 0, "lora_alpha": 16, "target_modules": ["q_proj"]}', /r, a positive integer/],
      ['{"r": "8", "lora_alpha": 16, "target_modules": ["q_proj"]}', /r, a positive integer/],
      ['{"r": 8, "lora_alpha": 16}', /target_modules/],
    ] as const) {
      const path = file("adapter_config.json", content);
      const folder = join(path, "..");
      throwsNaming(() => readPeftConfig(folder), path, pattern);
    }
    for (const raw of [null, [], "LORA", 7, { peft_type: "LORA", r: "8", lora_alpha: 16, target_modules: ["q_proj"] }, { peft_type: "LORA", r: 8, lora_alpha: 16, target_modules: "q_proj|v_proj" }]) {
      throwsNaming(() => parseAdapterConfig(raw, "/x/adapter_config.json"), "/x/adapter_config.json", /./);
    }
  });
});

describe("a damaged report.json or manifest.json leaves the card's figures out, and says so", () => {
  it("a report that is cut short, null, or of the wrong shape", () => {
    assert.deepEqual(readCardReport(join(dir, "absent.json")), { value: null, problem: null });
    const cut = file("report.json", '{"stages": {"sft": {"exactMatch": 0.2');
    assert.match(readCardReport(cut).problem ?? "", new RegExp(`^${cut}: not valid JSON`));
    const nul = file("report.json", "null");
    assert.equal(readCardReport(nul).problem, `${nul}: it has no "stages" object`);
    // Figures of the wrong types become "–" rather than a TypeError in toFixed.
    const odd = cardReportFrom({ stages: { sft: { exactMatch: "0.2", editSimilarity: "high", latencyMsP50: [1], exactMatchCi: 3, heldoutItems: "9" }, base: 4 }, notes: "one note", activation: { activated: "yes" } });
    assert.ok(typeof odd !== "string");
    const card = renderModelCard(cardInput({ report: odd }));
    assert.match(card, /\| \*\*sft \(this model\)\*\* \| – \| – \| – \| – \| – \| 0 \|/);
    assert.match(renderModelCard(cardInput({ reportUnreadable: true })), /report\.json could not be read \(it is damaged\)/);
  });

  it("a manifest without the fields the card needs; a real one has them all", async () => {
    assert.equal(manifestProblem({ version: 1 }), '"source" is missing or of the wrong shape');
    assert.equal(manifestProblem({ version: 1, source: { kind: "git", head: 5 } }), '"source" is missing or of the wrong shape');
    assert.equal(manifestProblem([]), "not a JSON object");
    const path = file("manifest.json", '{"version": 1, "files": {}}');
    assert.match(readCardManifest(path).problem ?? "", /manifest\.json: "source" is missing/);
    assert.match(renderModelCard(cardInput({ manifestUnreadable: true })), /manifest\.json beside this run could not be read/);

    const repo = join(dir, "repo");
    mkdirSync(repo);
    writeFileSync(join(repo, "a.py"), 'def add(a, b):\n    """Add."""\n    return a + b\n');
    writeFileSync(join(repo, "b.ts"), "export function twice(x: number): number {\n  return 2 * x;\n}\n");
    const manifest = await gatherDataset({ repo, datasetDir: join(dir, "dataset") });
    assert.equal(manifestProblem(JSON.parse(JSON.stringify(manifest))), null);
    renderModelCard(cardInput({ manifest }));
  });
});
