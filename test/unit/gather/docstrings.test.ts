// Docstring pairs: the doc comment (Python: signature and docstring) as the prompt, and exactly
// the code it documents as the completion, in each supported language.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildDocstringPairs, findDocPairs } from "../../../src/core/gather/builders/docstrings/docstring-pairs";
import { codeLanguages } from "../../../src/core/gather/filters/code-languages";
import { pathParts } from "../../../src/core/gather/filters/path-parts";
import { LineIndex } from "../../../src/core/gather/text/line-index";
import { FILE_SEP } from "../../../src/core/tokenizer/special-tokens";
import { documentedCode } from "../../fixtures/gather/documented-code";

const languageOf = (path: string) => codeLanguages().languageOf(pathParts(path)) as string;
const pairs = (text: string, language: string) => findDocPairs(new LineIndex(text), language, 6_000).map((p) => ({ doc: text.slice(p.promptStart, p.codeStart), code: text.slice(p.codeStart, p.codeEnd) }));

describe("docstring pairs", () => {
  for (const d of documentedCode()) {
    it(`pair the doc and the code that follows it in ${d.path}`, () => {
      const records = buildDocstringPairs(d.path, new LineIndex(d.content), languageOf(d.path), 6_000, 20);
      assert.deepEqual(records, [{ prompt: `${FILE_SEP}${d.path}\n${d.doc}`, completion: d.code, kind: "docstring", path: d.path }]);
    });
  }

  it("skip docs that document no function, class or type", () => {
    const text = [
      "/** The configuration. */",
      "export const config = { a: 1 };",
      "",
      "/** Detached from what follows. */",
      "",
      "function detached() { return 1; }",
      "",
      "interface Shape {",
      "  /** Area of the shape. */",
      "  area(): number;",
      "}",
      "/** A class. */",
      "class Box { open() { return '}'; } }",
    ].join("\n");
    assert.deepEqual(pairs(text, "typescript"), [{ doc: "/** A class. */\n", code: "class Box { open() { return '}'; } }" }]);
  });

  it("step over braces in strings, comments and template literals", () => {
    const text = "/** Tricky. */\nfunction t(s = \"{\") {\n  // }\n  /* } */\n  return `${s}}` + '}';\n}\nconst after = 1;\n";
    assert.deepEqual(pairs(text, "javascript"), [{ doc: "/** Tricky. */\n", code: "function t(s = \"{\") {\n  // }\n  /* } */\n  return `${s}}` + '}';\n}" }]);
  });

  it("include decorators and attributes in the code, and tell Rust lifetimes from character literals", () => {
    const ts = "/** Handles a request. */\n@Get(\"/items/{id}\")\nasync handle(@Param(\"id\") id: string) {\n  return id;\n}\n";
    assert.equal(pairs(ts, "typescript")[0]?.code, "@Get(\"/items/{id}\")\nasync handle(@Param(\"id\") id: string) {\n  return id;\n}");
    const rs = "/// Longest.\n#[inline]\nfn longest<'a>(a: &'a str, b: &'a str) -> &'a str {\n    if a.len() > b.len() { a } else { b }\n}\n";
    assert.equal(pairs(rs, "rust")[0]?.code, "#[inline]\nfn longest<'a>(a: &'a str, b: &'a str) -> &'a str {\n    if a.len() > b.len() { a } else { b }\n}");
  });

  it("in Go, pair only comment blocks right above func and type declarations with a body", () => {
    const go = "// Package doc.\npackage x\n\n// T is an alias.\ntype T int\n\n// S holds things.\ntype S struct {\n\tA int\n}\n";
    assert.deepEqual(pairs(go, "go"), [{ doc: "// S holds things.\n", code: "type S struct {\n\tA int\n}" }]);
  });

  it("in Python, pair a def or class with its docstring to the body after it, decorators in the prompt", () => {
    const py = '@cache\ndef area(r):\n    """Area of a circle."""\n    return 3.14159 * r * r\n\n\ndef no_doc():\n    return 1\n\nclass K:\n    """A class."""\n\n    def m(self):\n        return 2\n';
    assert.deepEqual(pairs(py, "python"), [
      { doc: '@cache\ndef area(r):\n    """Area of a circle."""\n', code: "    return 3.14159 * r * r" },
      { doc: 'class K:\n    """A class."""\n', code: "\n    def m(self):\n        return 2" },
    ]);
  });

  it("skip functions longer than the limit, and languages without doc comments", () => {
    const long = `/** Long. */\nfunction long() {\n${"  step();\n".repeat(100)}}\n`;
    assert.equal(findDocPairs(new LineIndex(long), "javascript", 200).length, 0);
    assert.equal(findDocPairs(new LineIndex("/** x */\nfunction f() {}\n"), "markdown", 6_000).length, 0);
  });
});
