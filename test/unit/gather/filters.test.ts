// The rules that exclude a file, each on the cases that decide it: what it must catch and the
// neighbouring cases it must leave alone.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scanBytes } from "../../../src/core/gather/byte-scan";
import { judgeContent, judgePath } from "../../../src/core/gather/file-rules";
import { binaryContentRule } from "../../../src/core/gather/filters/binary-content";
import { codeLanguages } from "../../../src/core/gather/filters/code-languages";
import { dataHeavyRule } from "../../../src/core/gather/filters/data-heavy";
import { generatedMarker } from "../../../src/core/gather/filters/generated";
import { minifiedRule } from "../../../src/core/gather/filters/minified";
import { pathParts } from "../../../src/core/gather/filters/path-parts";
import { shebangLanguage } from "../../../src/core/gather/filters/shebang";

const languages = codeLanguages();
const reasonOf = (path: string) => {
  const verdict = judgePath(pathParts(path), languages);
  return "reason" in verdict ? verdict.reason : verdict.language;
};
const stats = (text: string) => scanBytes(Buffer.from(text)).stats;

describe("path rules", () => {
  it("exclude secret-shaped names, vendored and output folders, lockfiles, binaries and non-code", () => {
    const cases: Record<string, string> = {
      ".env": "secret-file",
      ".env.production": "secret-file",
      "config/.env.local": "secret-file",
      "deploy/id_rsa": "secret-file",
      "deploy/id_ed25519.pub": "secret-file",
      "certs/server.pem": "secret-file",
      "certs/tls.key": "secret-file",
      "android/release.keystore": "secret-file",
      "android/app.jks": "secret-file",
      "store.p12": "secret-file",
      "home/.ssh/config": "secret-file",
      ".npmrc": "secret-file",
      "client_secret_123.apps.googleusercontent.com.json": "secret-file",
      "node_modules/react/index.js": "vendored",
      "src/vendor/lib.go": "vendored",
      "third_party/zlib/zlib.c": "vendored",
      "dist/app.js": "generated",
      "packages/a/build/index.js": "generated",
      "web/app.min.js": "generated",
      "api/service.pb.go": "generated",
      "proto/service_pb2.py": "generated",
      "lib/model.g.dart": "generated",
      "package-lock.json": "lockfile",
      "Cargo.lock": "lockfile",
      "go.sum": "lockfile",
      "assets/logo.png": "binary",
      "fonts/inter.woff2": "binary",
      "model.safetensors": "binary",
      "notes/todo.xyz": "not-code",
      ".vscodeignore": "not-code",
    };
    for (const [path, reason] of Object.entries(cases)) assert.equal(reasonOf(path), reason, path);
  });

  it("keep code, by extension or by well-known name", () => {
    const cases: Record<string, string> = {
      "src/app.ts": "typescript",
      "src/types.d.ts": "typescript",
      "lib/main.py": "python",
      "cmd/main.go": "go",
      "src/lib.rs": "rust",
      "Makefile": "makefile",
      "Dockerfile": "dockerfile",
      "src/env.ts": "typescript",
      "src/keyboard.ts": "typescript",
      "docs/build.md": "markdown",
    };
    for (const [path, language] of Object.entries(cases)) assert.equal(reasonOf(path), language, path);
  });

  it("leave extensionless files to their #! line", () => {
    const verdict = judgePath(pathParts("scripts/release"), languages);
    assert.deepEqual(verdict, { language: null });
    assert.equal(shebangLanguage("#!/usr/bin/env bash\nset -e\n"), "shellscript");
    assert.equal(shebangLanguage("#!/usr/bin/python3\nprint(1)\n"), "python");
    assert.equal(shebangLanguage("#!/usr/bin/env node\n"), "javascript");
    assert.equal(shebangLanguage("Copyright (c) 2024\n"), null);
  });

  it("follow the user's extra and excluded extensions", () => {
    const custom = codeLanguages([".vue2", "tmpl"], [".md"]);
    assert.equal(custom.languageOf(pathParts("a/b.vue2")), "vue2");
    assert.equal(custom.languageOf(pathParts("a/b.tmpl")), "tmpl");
    assert.equal(custom.languageOf(pathParts("README.md")), null);
    assert.equal(custom.languageOf(pathParts("src/a.ts")), "typescript");
  });
});

describe("content rules", () => {
  it("binary: a NUL byte, or bytes that are not UTF-8", () => {
    assert.match(binaryContentRule(Buffer.from([0x61, 0x00, 0x62])) ?? "", /NUL byte at offset 1/);
    assert.match(binaryContentRule(Buffer.from([0x63, 0x61, 0x66, 0xe9])) ?? "", /^invalid UTF-8 at byte 3 \(0xe9\)/);
    assert.equal(binaryContentRule(Buffer.from("café ✓ 😀", "utf8")), null);
  });

  it("minified: long lines, not long files", () => {
    const packed = `var a=${"f(x),".repeat(2000)}0;\n`;
    assert.match(minifiedRule(stats(packed)) ?? "", /mean line length/);
    const normal = "const value = compute(1, 2);\n".repeat(2000);
    assert.equal(minifiedRule(stats(normal)), null);
    const oneHugeLine = `${"const a = 1;\n".repeat(400)}const data = "${"x".repeat(6000)}";\n`;
    assert.match(minifiedRule(stats(oneHugeLine)) ?? "", /a line of \d+ bytes/);
    assert.equal(minifiedRule(stats("x".repeat(400))), null, "a short one-liner is not minified");
  });

  it("data-heavy: over 30% digits among non-blank characters", () => {
    const table = Array.from({ length: 50 }, (_, i) => `  ${1000 + i}, ${2000 + i}, ${3000 + i},`).join("\n");
    assert.match(dataHeavyRule(stats(table)) ?? "", /\d+% digits/);
    assert.equal(dataHeavyRule(stats("const x = items.map((item) => item.id * 2 + 1);\n".repeat(20))), null);
    assert.equal(dataHeavyRule(stats("v = 1.2.3\n")), null, "too small to judge");
  });

  it("generated: a tool's banner in a comment of the first lines, or an inline source map", () => {
    assert.ok(generatedMarker("// Code generated by protoc-gen-go. DO NOT EDIT.\npackage x\n"));
    assert.ok(generatedMarker("/*\n * This file was automatically generated by a tool.\n */\nexport {};\n"));
    assert.ok(generatedMarker("# @generated by scripts/gen.py\nx = 1\n"));
    assert.ok(generatedMarker(`export const a = 1;\n//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozfQ==\n`));
    // Code that handles banners without carrying one.
    assert.equal(generatedMarker(`const MARKER = /@generated|DO NOT EDIT/;\nif (text.includes("DO NOT EDIT")) skip();\n`), null);
    assert.equal(generatedMarker(`${"const a = 1;\n".repeat(300)}// DO NOT EDIT below this line\n`), null, "past the head");
  });

  it("judges in order and names the first rule that applies", () => {
    const secretInMinified = `var k="${["AK", "IA"].join("")}ABCDEFGHIJKLMNOP";${"f(x),".repeat(2000)}\n`;
    assert.equal(judgeContent(secretInMinified, stats(secretInMinified), "javascript")?.reason, "minified");
    const secret = `const k = "${["AK", "IA"].join("")}ABCDEFGHIJKLMNOP";\n`;
    assert.equal(judgeContent(secret, stats(secret), "javascript")?.reason, "secret");
    assert.equal(judgeContent("export const ok = true;\n", stats("export const ok = true;\n"), "typescript"), null);
  });
});
