// ESLint with typescript-eslint, and DESIGN.md's "Layers" table enforced by the local plugin in
// eslint-rules/: repotune/layers (which folders and packages each folder may import) and
// repotune/no-folder-cycles (no import cycle between the folders of src).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import repotune from "./eslint-rules/index.mjs";

const root = import.meta.dirname;

// Where bench/ and test/ may use a package that belongs to one layer: anywhere in them.
const free = ["bench", "test"];

const layers = {
  // What each folder may import relatively, as DESIGN.md's table says; a folder may always
  // import inside itself. Type-only imports count: a type is still a layering dependency.
  layers: [
    { folder: "src/core", imports: [], packages: ["simple-git"] }, // and Node built-ins
    { folder: "src/engine", imports: ["src/core"] },
    { folder: "src/serve", imports: ["src/core"] },
    { folder: "src/hub", imports: ["src/core"] },
    { folder: "src/pipeline", imports: ["src/core", "src/engine", "src/serve", "src/hub"] },
    { folder: "src/worker", imports: ["src/pipeline", "src/serve", "src/core"] },
    // The clients that fork the workers and talk to them, next to the workers' entry points:
    // the extension host and the CLI start the processes through these alone.
    { folder: "src/worker/clients", imports: ["src/core"] },
    { folder: "src/cli", imports: ["src/pipeline", "src/serve", "src/hub", "src/core", "src/worker/clients", "bench"] }, // `repotune bench` calls bench/
    { folder: "src/extension", imports: ["src/core", "src/hub", "src/worker/clients"] },
    { folder: "webview", imports: ["src/core"] }, // browser code: the protocol types and pure core modules
    { folder: "bench", imports: ["*"] },
    { folder: "test", imports: ["*"] },
  ],
  // Packages that belong to one layer.
  packages: [
    { name: "@tensorflow/*", allowedIn: ["src/engine", ...free] },
    { name: "webgpu", allowedIn: ["src/engine", ...free] },
    { name: "node-llama-cpp", allowedIn: ["src/serve", ...free] },
    { name: "@node-llama-cpp/*", allowedIn: ["src/serve", ...free] },
    { name: "simple-git", allowedIn: ["src/core", ...free] },
    { name: "vscode", allowedIn: ["src/extension", "test/e2e/suite"] }, // the e2e suite runs inside VS Code
  ],
  // One file allowed past its layer, with the reason (e.g. a replica entry in src/worker that
  // needs src/engine): { file: "src/worker/x.ts", imports: ["src/engine"], why: "..." }. None today.
  exceptions: [],
  // A new folder of src is placed in the table before it is used.
  everyFileUnder: ["src"],
  root,
};

export default tseslint.config(
  { ignores: ["out/**", "dist/**", "node_modules/**", ".cache/**", "test-output/**", ".repotune/**", "**/*.min.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: "readonly", process: "readonly", require: "readonly", __dirname: "readonly", module: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", Buffer: "readonly", window: "readonly", document: "readonly" } },
    rules: {
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Kept beside repotune/layers (which also reports it) while test/unit/static/static-checks.test.ts
      // asserts this rule id for a vscode import in src/core.
    },
  },
  {
    files: ["src/**", "webview/**", "bench/**", "test/**"],
    plugins: { repotune },
    rules: {
      "repotune/layers": ["error", layers],
      "repotune/no-folder-cycles": ["error", { src: "src", depth: 2, root }],
    },
  },
  // A model, a tokenizer or any file from outside is data: parsed, never run (issue 16, item 4).
  // So src/ loads code only by literal name, evaluates no strings, and only the worker clients
  // start processes (their own bundles). test/unit/static/code-from-data.test.ts keeps these live.
  {
    files: ["src/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.name='require'][arguments.0.type!='Literal']", message: "require() of a computed path: code is loaded by literal name only (a model or file from outside is data, never code)" },
        { selector: "ImportExpression[source.type!='Literal']", message: "import() of a computed path: code is loaded by literal name only (a model or file from outside is data, never code)" },
        { selector: "CallExpression[callee.name='eval'], NewExpression[callee.name='Function'], CallExpression[callee.name='Function']", message: "no code from strings: whatever a model or a workspace holds is data" },
        { selector: "CallExpression[callee.property.name='dlopen']", message: "no native code loaded by path: node-llama-cpp and tfjs load their own binaries" },
        { selector: "NewExpression[callee.name='Worker'] Property[key.name='eval']", message: "a worker thread runs a file of ours, not a string" },
      ],
      "no-restricted-imports": [
        "error",
        {
          paths: [
            ...["child_process", "node:child_process"].map((name) => ({ name, message: "only src/worker/clients starts processes (the training worker and the completion server, from out/)" })),
            ...["vm", "node:vm", "module", "node:module"].map((name) => ({ name, message: "no code compiled or required from data" })),
          ],
        },
      ],
    },
  },
  { files: ["src/worker/clients/**"], rules: { "no-restricted-imports": "off" } },
);
