// The completion server as shipped: out/completion-server.js, built by esbuild.config.mjs
// (npm test builds everything first). Under `--no-build` a missing or stale bundle is
// rebuilt here, alone, with the same options, so the test never runs yesterday's server.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "..", "..", "..", "..");
export const SERVER_BUNDLE = join(root, "out", "completion-server.js");

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const s = statSync(path);
    newest = Math.max(newest, s.isDirectory() ? newestSource(path) : s.mtimeMs);
  }
  return newest;
}

export async function ensureServerBundle(): Promise<string> {
  const sources = ["src/serve", "src/worker", "src/core"].map((d) => newestSource(join(root, d)));
  if (existsSync(SERVER_BUNDLE) && statSync(SERVER_BUNDLE).mtimeMs >= Math.max(...sources)) return SERVER_BUNDLE;
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: { "completion-server": join(root, "src/worker/completion-server.ts") },
    outdir: join(root, "out"),
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: "linked",
    external: ["vscode", "node-llama-cpp", "@node-llama-cpp/*", "@tensorflow/*", "webgpu", "simple-git"],
    logLevel: "error",
  });
  return SERVER_BUNDLE;
}
