// The .vsix under test: packaged with @vscode/vsce from the current bundles, the way
// `npm run package` does it, but into the cache (the harness writes nothing into dist/).
// Packaging takes about 45 s, so a .vsix is reused while what goes into it is unchanged:
// its name carries a hash of those inputs (esbuild rewrites out/ on every build, so
// modification times would repackage every run).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { exec } from "./exec";
import { withLock } from "./lock";
import { CACHE_DIR, REPO_ROOT } from "./paths";

const VSIX_DIR = join(CACHE_DIR, "vsix");
const KEEP = 2;

export async function ensureVsix(logDir: string): Promise<string> {
  const bundle = join(REPO_ROOT, "out", "extension.js");
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: build first (node esbuild.config.mjs)`);
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { name: string; version: string };
  const target = `${process.platform}-${process.arch}`;
  const vsix = join(VSIX_DIR, `${pkg.name}-${pkg.version}-${target}-${inputsHash()}.vsix`);
  if (existsSync(vsix)) return vsix;
  return withLock("vsix", 5 * 60_000, async () => {
    if (existsSync(vsix)) return vsix;
    mkdirSync(VSIX_DIR, { recursive: true });
    const partial = `${vsix}.partial.vsix`;
    const started = Date.now();
    await exec(
      process.execPath,
      [
        join(REPO_ROOT, "node_modules", "@vscode", "vsce", "vsce"),
        "package",
        "--target",
        target,
        "--out",
        partial,
        "--allow-missing-repository",
        "--skip-license",
      ],
      // vsce runs `npm list`, and npm writes a debug log under its cache folder on every run.
      { cwd: REPO_ROOT, env: { ...process.env, npm_config_cache: join(CACHE_DIR, "npm-cache") }, logFile: join(logDir, "vsce.log"), timeoutMs: 4 * 60_000 },
    );
    renameSync(partial, vsix);
    console.log(`# e2e: packaged ${relative(REPO_ROOT, vsix)} (${Math.round(statSync(vsix).size / 1e6)} MB) in ${Math.round((Date.now() - started) / 1000)} s`);
    prune(vsix);
    return vsix;
  });
}

/** What decides the .vsix's content: the manifest, the ignore file, the lockfile, the shipped bundles and assets. */
function inputsHash(): string {
  const hash = createHash("sha256");
  const files = ["package.json", ".vscodeignore", "package-lock.json", "README.md", "LICENSE"].map((f) => join(REPO_ROOT, f));
  files.push(...walk(join(REPO_ROOT, "out")).filter((f) => !f.endsWith(".map") && !relative(REPO_ROOT, f).startsWith(join("out", "test"))));
  files.push(...walk(join(REPO_ROOT, "media")));
  for (const file of files.sort()) {
    if (!existsSync(file)) continue;
    hash.update(relative(REPO_ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 12);
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

function prune(keep: string): void {
  const all = readdirSync(VSIX_DIR)
    .map((n) => join(VSIX_DIR, n))
    .filter((p) => p !== keep)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const old of all.slice(KEEP - 1)) rmSync(old, { force: true });
}
