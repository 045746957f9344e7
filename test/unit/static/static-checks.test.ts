// The strict type check and the linter (with DESIGN.md's layer rules) are part of the one
// test command, so a layering violation or a type error fails CI like any broken test.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";

const root = join(__dirname, "..", "..", "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);

describe("static checks", () => {
  it("tsc --noEmit (strict) reports no errors", () => {
    const r = spawnSync(bin("tsc"), ["--noEmit", "-p", "."], { cwd: root, encoding: "utf8" });
    assert.equal(r.status, 0, `tsc found errors:\n${r.stdout}${r.stderr}`);
  });

  it("eslint (typescript-eslint and the layer rules) reports no errors", () => {
    const r = spawnSync(bin("eslint"), ["--max-warnings", "0", "."], { cwd: root, encoding: "utf8" });
    assert.equal(r.status, 0, `eslint found problems:\n${r.stdout}${r.stderr}`);
  });

  it("the layer rules catch a vscode import outside src/extension", () => {
    // Proves the rule is live, not just configured: lint a virtual file in src/core.
    const r = spawnSync(bin("eslint"), ["--stdin", "--stdin-filename", "src/core/bad.ts"], {
      cwd: root,
      encoding: "utf8",
      input: 'import * as vscode from "vscode";\nexport const x = vscode;\n',
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stdout, /repotune\/layers/);
    assert.match(r.stdout, /vscode may only be imported in src\/extension/);
  });
});
