// The local ESLint rules of eslint-rules/ (DESIGN.md's layer table) fire on planted violations
// and stay quiet on allowed imports. Planted files are virtual (lintText with a file path), so
// nothing is written under src/; the cycle rule gets its folder graph injected, and its scan of
// real files is proved on a temporary tree outside the repository.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ESLint, type Linter } from "eslint";

const root = join(__dirname, "..", "..", "..");
const LAYERS = "repotune/layers";
const CYCLES = "repotune/no-folder-cycles";

/** The repo's eslint.config.mjs; the cycle rule sees `graph` instead of today's src/. */
function repoLinter(graph: Record<string, string[]> = {}): ESLint {
  return new ESLint({ cwd: root, overrideConfig: { rules: { [CYCLES]: ["error", { graph }] } } });
}

const layersLinter = repoLinter();

async function lint(filePath: string, code: string, eslint = layersLinter): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result, "ESLint returned no result");
  return result.messages;
}

const show = (messages: Linter.LintMessage[]) => messages.map((m) => `${m.ruleId}: ${m.message}`).join("\n") || "(none)";

/** Exactly one report of `ruleId` whose message matches `pattern`. */
function assertReported(messages: Linter.LintMessage[], ruleId: string, pattern: RegExp | string): void {
  const hits = messages.filter((m) => m.ruleId === ruleId);
  assert.equal(hits.length, 1, `expected one ${ruleId} report, got:\n${show(messages)}`);
  if (typeof pattern === "string") assert.equal(hits[0]!.message, pattern);
  else assert.match(hits[0]!.message, pattern);
}

function assertClean(messages: Linter.LintMessage[]): void {
  assert.equal(messages.length, 0, `expected no problems, got:\n${show(messages)}`);
}

describe("repotune/layers: packages belong to one layer", () => {
  test("@tensorflow/* outside src/engine (pipeline)", async () => {
    const messages = await lint("src/pipeline/training/planted.ts", 'import * as tf from "@tensorflow/tfjs-core";\nexport const t = tf;\n');
    assertReported(messages, LAYERS, "@tensorflow/* may only be imported in src/engine, bench and test; src/pipeline imported @tensorflow/tfjs-core (DESIGN.md layers)");
  });

  test("node-llama-cpp outside src/serve (cli, dynamic import)", async () => {
    const messages = await lint("src/cli/commands/planted.ts", 'export async function load() {\n  return import("node-llama-cpp");\n}\n');
    assertReported(messages, LAYERS, /^node-llama-cpp may only be imported in src\/serve, bench and test; src\/cli imported node-llama-cpp/);
  });

  test("@node-llama-cpp/* outside src/serve (pipeline)", async () => {
    const messages = await lint("src/pipeline/planted.ts", 'import x from "@node-llama-cpp/linux-x64";\nexport const y = x;\n');
    assertReported(messages, LAYERS, /^@node-llama-cpp\/\* may only be imported in src\/serve/);
  });

  test("vscode outside src/extension (core)", async () => {
    const messages = await lint("src/core/planted.ts", 'import * as vscode from "vscode";\nexport const v = vscode;\n');
    assertReported(messages, LAYERS, "vscode may only be imported in src/extension and test/e2e/suite; src/core imported vscode (DESIGN.md layers)");
  });

  test("vscode in test/ outside test/e2e/suite", async () => {
    const messages = await lint("test/unit/planted.test.ts", 'import * as vscode from "vscode";\nexport const v = vscode;\n');
    assertReported(messages, LAYERS, /^vscode may only be imported in src\/extension and test\/e2e\/suite; test imported vscode/);
  });

  test("simple-git outside src/core (engine, require)", async () => {
    const messages = await lint("src/engine/planted.ts", 'const simpleGit = require("simple-git");\nexport const g = simpleGit;\n');
    assertReported(messages, LAYERS, "simple-git may only be imported in src/core, bench and test; src/engine imported simple-git (DESIGN.md layers)");
  });

  test("webgpu outside src/engine (serve)", async () => {
    const messages = await lint("src/serve/planted.ts", 'export const gpu = () => import("webgpu");\n');
    assertReported(messages, LAYERS, /^webgpu may only be imported in src\/engine, bench and test; src\/serve imported webgpu/);
  });

  test("src/core imports no package but Node built-ins and simple-git", async () => {
    const messages = await lint("src/core/planted.ts", 'import { Command } from "commander";\nexport const c = Command;\n');
    assertReported(messages, LAYERS, "src/core may import only Node built-ins and simple-git; it imported commander (DESIGN.md layers)");
  });
});

describe("repotune/layers: each folder imports only the folders below it", () => {
  const edges: Array<[string, string, string]> = [
    // [planted file, import specifier, the whole message]
    ["src/core/planted.ts", "./../engine/model/model", "src/core may import no other folder; it imported src/engine/model/model (DESIGN.md layers)"],
    ["src/engine/train/planted.ts", "../../pipeline/run/orchestrator", "src/engine may import core; it imported src/pipeline/run/orchestrator (DESIGN.md layers)"],
    ["src/serve/planted.ts", "../engine/model-store/model-dir", "src/serve may import core; it imported src/engine/model-store/model-dir (DESIGN.md layers)"],
    ["src/hub/planted.ts", "../serve/llama-engine", "src/hub may import core; it imported src/serve/llama-engine (DESIGN.md layers)"],
    ["src/extension/training/planted.ts", "../../pipeline/run/orchestrator", "src/extension may import core, hub and worker/clients; it imported src/pipeline/run/orchestrator (DESIGN.md layers)"],
    ["src/extension/planted.ts", "../worker/training-worker", "src/extension may import core, hub and worker/clients; it imported src/worker/training-worker (DESIGN.md layers)"],
    ["src/cli/commands/planted.ts", "../../engine/backends/select", "src/cli may import pipeline, serve, hub, core, worker/clients and bench; it imported src/engine/backends/select (DESIGN.md layers)"],
    ["src/worker/planted.ts", "../engine/train/train-loop", "src/worker may import pipeline, serve and core; it imported src/engine/train/train-loop (DESIGN.md layers)"],
    ["webview/dashboard/planted.ts", "../../src/engine/model/model", "webview may import core; it imported src/engine/model/model (DESIGN.md layers)"],
    ["src/pipeline/run/planted.ts", "../../cli/out-dir", "src/pipeline may import core, engine, serve and hub; it imported src/cli/out-dir (DESIGN.md layers)"],
    ["src/core/planted.ts", "../../test/fixtures/x", "src/core may import no other folder; it imported test/fixtures/x (DESIGN.md layers)"],
  ];
  for (const [file, spec, message] of edges) {
    test(`${file} -> ${spec}`, async () => {
      assertReported(await lint(file, `import { x } from "${spec}";\nexport const y = x;\n`), LAYERS, message);
    });
  }

  test("type-only imports count (import type, typeof import(), export type from)", async () => {
    for (const code of [
      'import type { Model } from "../engine/model/model";\nexport type M = Model;\n',
      'export type M = typeof import("../engine/model/model");\n',
      'export type { Model } from "../engine/model/model";\n',
      'import m = require("../engine/model/model");\nexport const n = m;\n',
    ]) {
      assertReported(await lint("src/core/planted.ts", code), LAYERS, /^src\/core may import no other folder; it imported src\/engine\/model\/model/);
    }
  });

  test("a file in a folder missing from the table is reported", async () => {
    const messages = await lint("src/shared/planted.ts", "export const x = 1;\n");
    assertReported(messages, LAYERS, /^src\/shared\/ is not in a folder of the layer table/);
  });
});

describe("repotune/layers: allowed imports are not reported", () => {
  const allowed: Array<[string, string]> = [
    ["src/pipeline/run/planted.ts", 'import { train } from "../../engine/train/train-loop";\nimport { serve } from "../../serve/llama-engine";\nimport { hub } from "../../hub/find";\nexport const x = [train, serve, hub];\n'],
    ["src/cli/commands/planted.ts", 'import { bench } from "../../../bench/tokenizer";\nimport { p } from "../../pipeline/doctor";\nimport { Command } from "commander";\nexport const x = [bench, p, Command];\n'],
    ["src/core/gather/planted.ts", 'import { readFileSync } from "node:fs";\nimport path from "path";\nimport simpleGit from "simple-git";\nimport { sibling } from "./gather-options";\nimport { deep } from "./filters/path-parts";\nimport { PRESETS } from "../presets";\nexport const x = [readFileSync, path, simpleGit, sibling, deep, PRESETS];\n'],
    ["src/engine/planted.ts", 'import * as tf from "@tensorflow/tfjs-core";\nimport type { WorkerEvent } from "../core/protocol";\nexport const gpu = () => import("webgpu");\nexport type E = WorkerEvent;\nexport const t = tf;\n'],
    ["src/serve/planted.ts", 'import { getLlama } from "node-llama-cpp";\nimport type { ServerReply } from "../core/protocol";\nexport type R = ServerReply;\nexport const l = getLlama;\n'],
    ["src/extension/planted.ts", 'import * as vscode from "vscode";\nimport type { WorkerEvent } from "../core/protocol";\nimport { find } from "../hub/find";\nexport type E = WorkerEvent;\nexport const x = [vscode, find];\n'],
    ["src/worker/planted.ts", 'import { runPipeline } from "../pipeline/run/orchestrator";\nimport { LlamaEngine } from "../serve/llama-engine";\nexport const x = [runPipeline, LlamaEngine];\n'],
    ["webview/dashboard/planted.ts", 'import { PROTOCOL_VERSION } from "../../src/core/protocol";\nimport { h } from "./view/dom";\nexport const x = [PROTOCOL_VERSION, h];\n'],
    ["test/e2e/suite/planted.ts", 'import * as vscode from "vscode";\nimport { x } from "../../../src/engine/model/model";\nexport const y = [vscode, x];\n'],
    ["test/unit/planted.test.ts", 'import * as tf from "@tensorflow/tfjs-core";\nimport { getLlama } from "node-llama-cpp";\nimport { x } from "../../src/cli/main";\nexport const y = [tf, getLlama, x];\n'],
    ["bench/planted.ts", 'import * as tf from "@tensorflow/tfjs-core";\nimport { x } from "../src/engine/model/model";\nexport const y = [tf, x];\n'],
  ];
  for (const [file, code] of allowed) {
    test(file, async () => assertClean(await lint(file, code)));
  }
});

describe("repotune/no-folder-cycles", () => {
  test("reports an import whose folder imports back (two folders)", async () => {
    const eslint = repoLinter({ "src/pipeline/posttrain": ["src/pipeline/eval"] });
    const messages = await lint("src/pipeline/eval/planted.ts", 'import { x } from "../posttrain/dpo";\nexport const y = x;\n', eslint);
    assertReported(messages, CYCLES, "import cycle between folders: src/pipeline/eval -> src/pipeline/posttrain -> src/pipeline/eval");
  });

  test("names the whole cycle (three folders, type-only import)", async () => {
    const eslint = repoLinter({ "src/engine/data": ["src/engine/inference"], "src/engine/inference": ["src/engine/objectives"] });
    const messages = await lint("src/engine/objectives/planted.ts", 'import type { Row } from "../data/rows";\nexport type R = Row;\n', eslint);
    assertReported(messages, CYCLES, "import cycle between folders: src/engine/objectives -> src/engine/data -> src/engine/inference -> src/engine/objectives");
  });

  test("a file directly in a layer folder and its subfolder are two folders", async () => {
    const eslint = repoLinter({ "src/core/gather": ["src/core"] });
    const messages = await lint("src/core/planted.ts", 'export { gather } from "./gather/gather-x";\n', eslint);
    assertReported(messages, CYCLES, "import cycle between folders: src/core -> src/core/gather -> src/core");
  });

  test("no report without a way back, nor inside one folder", async () => {
    const eslint = repoLinter({ "src/pipeline/posttrain": ["src/core"], "src/pipeline/eval": ["src/pipeline/eval", "src/pipeline/posttrain"] });
    assertClean(await lint("src/pipeline/eval/planted.ts", 'import { x } from "../posttrain/dpo";\nimport { y } from "./sibling";\nimport { z } from "./deeper/file";\nexport const w = [x, y, z];\n', eslint));
  });

  describe("scans the files on disk", () => {
    let tree = "";
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), text);
    };
    before(() => {
      tree = mkdtempSync(join(tmpdir(), "repotune-cycles-"));
      write("src/a/x.ts", 'import { y } from "../b/y";\nexport const x = y;\n');
      write("src/b/y.ts", 'export const y = 1;\nexport const later = () => require("../a");\n');
      write("src/a/index.ts", 'export * from "./x";\n');
      write("src/c/z.ts", 'import { y } from "../b/y";\nexport const z = y;\n');
    });
    after(() => rmSync(tree, { recursive: true, force: true }));

    test("a cycle of real files (require of a folder's index.ts)", async () => {
      // The repo's config with the cycle rule pointed at the temporary tree (the base path is the cwd).
      const eslint = new ESLint({ cwd: tree, overrideConfigFile: join(root, "eslint.config.mjs"), overrideConfig: { rules: { [CYCLES]: ["error", { root: tree }] } } });
      const results = await eslint.lintFiles(["src"]);
      const byFile = Object.fromEntries(results.map((r) => [r.filePath.slice(tree.length + 1), r.messages]));
      assertReported(byFile["src/a/x.ts"]!, CYCLES, "import cycle between folders: src/a -> src/b -> src/a");
      assertReported(byFile["src/b/y.ts"]!, CYCLES, "import cycle between folders: src/b -> src/a -> src/b");
      assertClean(byFile["src/c/z.ts"]!);
      assertClean(byFile["src/a/index.ts"]!);
    });
  });
});
