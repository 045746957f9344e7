// Builds every bundle RepoTune ships. One entry per process (DESIGN.md "Processes"):
// the extension host, the training worker, the completion server, the CLI, and the
// dashboard page that runs in a browser context.
//
//   node esbuild.config.mjs            one production build
//   node esbuild.config.mjs --watch    rebuild on change (the "watch" task)
//   node esbuild.config.mjs --dev      unminified, with inline source maps
import * as esbuild from "esbuild";
import { cpSync, mkdirSync } from "node:fs";

const watch = process.argv.includes("--watch");
const dev = watch || process.argv.includes("--dev");

// Native packages stay outside the bundles: node-llama-cpp and Dawn (`webgpu`) ship
// prebuilt binaries, and `vscode` only exists inside the extension host. TensorFlow.js is
// bundled: its gradients are only published as extensionless ESM files that Node cannot
// load, and one bundled copy keeps a single kernel registry. The wasm backend finds its
// .wasm files next to the bundle (copied below).
const nodeExternals = ["vscode", "node-llama-cpp", "@node-llama-cpp/*", "webgpu", "simple-git", "tsx", "tsx/*"];

/** @type {esbuild.BuildOptions} */
const nodeCommon = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: dev ? "inline" : "linked",
  minify: !dev,
  external: nodeExternals,
  // tfjs marks its backends side-effect free, but importing one is what registers it.
  ignoreAnnotations: true,
  logLevel: "info",
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  { ...nodeCommon, entryPoints: { extension: "src/extension/extension.ts" }, outdir: "out" },
  { ...nodeCommon, entryPoints: { "training-worker": "src/worker/training-worker.ts" }, outdir: "out" },
  { ...nodeCommon, entryPoints: { "completion-server": "src/worker/completion-server.ts" }, outdir: "out" },
  // Worker threads of data-parallel training (src/engine/parallel), found next to the bundle.
  { ...nodeCommon, entryPoints: { "replica-worker": "src/engine/parallel/replica-worker.ts" }, outdir: "out" },
  {
    ...nodeCommon,
    entryPoints: { cli: "src/cli/main.ts" },
    outdir: "out",
    banner: { js: "#!/usr/bin/env node" },
  },
  // The extension's own mocha suite, loaded by the real extension host during e2e tests.
  {
    ...nodeCommon,
    entryPoints: { "test/suite/index": "test/e2e/suite/index.ts" },
    outdir: "out",
    external: [...nodeExternals, "mocha"],
    minify: false,
    sourcemap: "inline",
  },
  {
    bundle: true,
    platform: "browser",
    target: "es2022",
    format: "iife",
    entryPoints: { dashboard: "webview/dashboard/main.ts" },
    outdir: "out/webview",
    sourcemap: dev ? "inline" : false,
    minify: !dev,
    logLevel: "info",
  },
];

function copyWasmBinaries() {
  mkdirSync("out", { recursive: true });
  for (const name of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"]) {
    cpSync(`node_modules/@tensorflow/tfjs-backend-wasm/dist/${name}`, `out/${name}`);
  }
}

function copyWebviewAssets() {
  // Codicons are served from the extension itself: the webview's CSP allows no remote content.
  mkdirSync("out/webview", { recursive: true });
  cpSync("node_modules/@vscode/codicons/dist/codicon.css", "out/webview/codicon.css");
  cpSync("node_modules/@vscode/codicons/dist/codicon.ttf", "out/webview/codicon.ttf");
}

copyWebviewAssets();
copyWasmBinaries();
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log("[watch] build finished, watching for changes...");
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
