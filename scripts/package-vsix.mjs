// `npm run package`: builds the bundles and packages the extension as a .vsix for this
// platform (llama.cpp and Dawn ship native binaries per platform) into dist/.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const target = `${process.platform === "win32" ? "win32" : process.platform}-${process.arch}`;
const out = `dist/${pkg.name}-${pkg.version}-${target}.vsix`;
mkdirSync("dist", { recursive: true });
execFileSync(process.execPath, ["esbuild.config.mjs"], { stdio: "inherit" });
execFileSync(process.execPath, ["node_modules/@vscode/vsce/vsce", "package", "--target", target, "--out", out, "--allow-missing-repository", "--skip-license"], {
  stdio: "inherit",
});
console.log(out);
