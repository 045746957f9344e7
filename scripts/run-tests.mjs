// The one test command (README: `npm test`): builds the bundles, then runs every test
// file under test/ with Node's test runner on TypeScript (through tsx), unit tests and
// end-to-end tests in real VS Code alike, and ends with "N passed, N failed, N skipped".
//
//   node scripts/run-tests.mjs            everything
//   node scripts/run-tests.mjs --unit     test/unit and test/integration only
//   node scripts/run-tests.mjs --e2e      test/e2e only
//   node scripts/run-tests.mjs FILE...    just these files
//   --no-build                            skip the esbuild step (unit tests do not need it)
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith("--"));

function findTests(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "fixtures" && name !== "suite" && name !== "node_modules") out.push(...findTests(path));
    } else if (/\.test\.ts$/.test(name)) out.push(relative(root, path));
  }
  return out;
}

let files;
if (only.length) files = only;
else {
  const groups = args.includes("--e2e") ? ["test/e2e"] : args.includes("--unit") ? ["test/unit", "test/integration"] : ["test/unit", "test/integration", "test/e2e"];
  files = groups.flatMap((g) => findTests(join(root, g)));
}

const build = args.includes("--no-build") ? { status: 0 } : spawnSync(process.execPath, ["esbuild.config.mjs"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
if (build.status !== 0) {
  console.log("build failed\n0 passed, 1 failed, 0 skipped");
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=./scripts/summary-reporter.mjs",
    "--test-reporter-destination=stdout",
    ...files,
  ],
  { cwd: root, stdio: "inherit", env: { ...process.env, REPOTUNE_TEST: "1" } },
);
process.exit(result.status ?? 1);
