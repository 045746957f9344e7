// Models from outside are parsed, never run (issue 16, item 4). The lint rules that keep src/
// from loading code by a computed path, evaluating strings or starting processes outside the
// worker clients are live; the processes it starts are its own bundles; node-llama-cpp gets a
// model path only through loadModel and never builds or downloads anything.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";

const root = join(__dirname, "..", "..", "..");

function lint(file: string, text: string): { ruleId: string | null; message: string }[] {
  const r = spawnSync(join(root, "node_modules", ".bin", "eslint"), ["--format", "json", "--stdin", "--stdin-filename", file], { cwd: root, encoding: "utf8", input: text });
  return (JSON.parse(r.stdout) as { messages: { ruleId: string | null; message: string }[] }[])[0]!.messages;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

describe("models from outside are data, never code", () => {
  it("lint: no require/import of a computed path, no eval or Function, no string worker", () => {
    const messages = lint(
      "src/serve/bad.ts",
      [
        "import { Worker } from \"node:worker_threads\";",
        "export async function load(modelPath: string) {",
        "  require(modelPath);",
        "  await import(modelPath);",
        "  eval(modelPath);",
        "  new Function(modelPath);",
        "  new Worker(modelPath, { eval: true });",
        "  require(\"node:fs\");", // a literal name is fine
        "}",
        "",
      ].join("\n"),
    );
    assert.deepEqual(
      messages.filter((m) => m.ruleId === "no-restricted-syntax").map((m) => m.message.split(":")[0]),
      ["require() of a computed path", "import() of a computed path", "no code from strings", "no code from strings", "a worker thread runs a file of ours, not a string"],
    );
  });

  it("lint: child_process, vm and module only in src/worker/clients", () => {
    const text = 'import { spawn } from "node:child_process";\nimport * as vm from "node:vm";\nexport const x = [spawn, vm];\n';
    assert.equal(lint("src/serve/bad.ts", text).filter((m) => m.ruleId === "no-restricted-imports").length, 2);
    assert.equal(lint("src/worker/clients/ok.ts", 'import { fork } from "node:child_process";\nexport const f = fork;\n').filter((m) => m.ruleId === "no-restricted-imports").length, 0);
  });

  it("the processes src/ starts are its own bundles (out/), never a path from data", () => {
    const assignments = sources(join(root, "src"))
      .flatMap((f) => [...readFileSync(f, "utf8").matchAll(/\b(workerScript|serverScript):\s*([^\n]+?),?$/gm)].map((m) => `${relative(root, f)}: ${m[2]!.trim()}`))
      .filter((line) => !/: string;?$/.test(line));
    assert.ok(assignments.length >= 3, assignments.join("\n"));
    for (const line of assignments) assert.match(line, /join\((__dirname|this\.context\.extensionPath, "out"), "(training-worker|completion-server)\.js"\)/, line);
  });

  it("node-llama-cpp is handed a model path only through loadModel, and never builds or downloads", () => {
    const files = sources(join(root, "src")).filter((f) => /from "node-llama-cpp"|import\("node-llama-cpp"\)/.test(readFileSync(f, "utf8")));
    assert.deepEqual(files.map((f) => relative(root, f)).filter((f) => !f.startsWith("src/serve/")), [], "only src/serve touches it");
    const runtime = readFileSync(join(root, "src", "serve", "llama-runtime.ts"), "utf8");
    assert.match(runtime, /getLlama\(\{[^}]*build: "never"[^}]*skipDownload: true/);
    let loads = 0;
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      loads += text.split(".loadModel(").length - 1;
      // No session, chat template or grammar from a model's metadata: tokens in, tokens out.
      assert.doesNotMatch(text, /LlamaChatSession|ChatWrapper|LlamaGrammar|resolveChatWrapper/, relative(root, f));
      for (const m of text.matchAll(/\.loadModel\(([^)]*)\)/g)) assert.match(m[1]!, /^\{ modelPath: options\.modelPath, gpuLayers: /, relative(root, f));
    }
    assert.ok(loads >= 2, "the engine and the scorer load models");
  });
});
