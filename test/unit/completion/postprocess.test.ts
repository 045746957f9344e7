// Post-processing steps, one rule at a time, and the pipeline's trace.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { placeLines, postprocess, reachedEnd, type CompletionPlace } from "../../../src/core/completion";

const line = (prefix: string, suffix = ""): CompletionPlace => ({ prefix, suffix, mode: "line" });
const block = (prefix: string, suffix = ""): CompletionPlace => ({ prefix, suffix, mode: "block" });
const run = (raw: string, place: CompletionPlace): string => postprocess(raw, place).text;

describe("post-processing", () => {
  it("line mode stops at the end of the line", () => {
    assert.equal(run("foo(a, b);\n  bar();", line("  x = ")), "foo(a, b);");
  });

  it("block mode stops at a blank line", () => {
    assert.equal(run("a();\n  b();\n\n  c();", block("function f() {\n  ")), "a();\n  b();");
  });

  it("block mode stops at a dedent, keeping deeper lines", () => {
    const raw = "if (x) {\n    y();\n  }\n}\nfunction g() {}";
    assert.equal(run(raw, block("function f() {\n  ")), "if (x) {\n    y();\n  }");
  });

  it("block mode from the end of a line that opens a block keeps the body and its closer", () => {
    assert.equal(run("\n  return 1;\n}\n\nconst z = 2;", block("function f() {")), "\n  return 1;\n}");
  });

  it("never repeats the text after the cursor on its line", () => {
    assert.equal(run("a, b);", line("foo(", ");\nnext();")), "a, b");
    assert.equal(run("a, b) {", line("if (", ") {\n")), "a, b");
  });

  it("does not cut a coincidental one-letter overlap with the suffix", () => {
    assert.equal(run("ba", line("const x = ", "a + 1;")), "ba");
  });

  it("block mode drops a closing line the suffix already holds", () => {
    assert.equal(run("\n  return 1;\n}", block("function f() {", "\n}\n")), "\n  return 1;");
  });

  it("stops before re-typing the next line", () => {
    const raw = "const y = 1;\n  return y;\n}";
    assert.equal(run(raw, block("function f() {\n  ", "\n  return y;\n}")), "const y = 1;");
    assert.equal(run("return y;", line("function f() {\n  ", "\n  return y;\n}")), "");
  });

  it("drops a line that copies the line above", () => {
    const r = postprocess("a = 1;", line("  a = 1;\n  "));
    assert.equal(r.text, "");
    assert.deepEqual(r.changedBy, ["no-repeat-of-line-above"]);
  });

  it("ends a block that starts looping", () => {
    assert.equal(run("x();\n  x();\n  x();", block("f() {\n  ")), "x();");
  });

  it("drops degenerate output: a short unit repeated to the cap", () => {
    const place: CompletionPlace = { prefix: "const name = ", suffix: ";\n", mode: "line" };
    assert.deepEqual(postprocess("s".repeat(52), place), { text: "", changedBy: ["drop-degenerate"] });
    assert.equal(postprocess(', " " " " " " " " " " "', place).text, "");
    assert.equal(postprocess("foo(a))))))))))))))))", place).text, "");
    // Real code with repeats survives: short runs, or runs under 16 characters.
    assert.equal(postprocess('"===="', place).text, '"===="');
    assert.equal(postprocess("[0, 0, 0, 0]", place).text, "[0, 0, 0, 0]");
    assert.equal(postprocess("it" + " ".repeat(38), place).text, "it", "trailing spaces are trimmed, not a loop");
    assert.equal(postprocess('{\n        a: 1,\n        b: 2\n}', { ...place, mode: "block" }).text.includes("a: 1"), true, "indentation is no loop");
  });

  it("trims trailing whitespace and drops empty results", () => {
    assert.equal(run("foo   ", line("x = ")), "foo");
    assert.equal(run("a();  \n  b();   \n\n", block("{\n  ")), "a();\n  b();");
    assert.equal(run("   ", line("x = ")), "");
    assert.equal(run("\n", line("x = ")), "");
    assert.equal(run("", line("x = ")), "");
  });

  it("leaves a good completion alone and says no step changed it", () => {
    assert.deepEqual(postprocess("length;", line("return s.")), { text: "length;", changedBy: [] });
  });

  it("reachedEnd lets generation stop as soon as the rule would cut", () => {
    const l = placeLines(line("x = "));
    assert.equal(reachedEnd("foo(", l), false);
    assert.equal(reachedEnd("foo()\n", l), true);
    const b = placeLines(block("function f() {\n  "));
    assert.equal(reachedEnd("a();\n  b();\n", b), false);
    assert.equal(reachedEnd("a();\n  b();\n  ", b), false, "a line still being indented is not a dedent yet");
    assert.equal(reachedEnd("a();\n  b();\n}", b), true);
    assert.equal(reachedEnd("a();\n\n", b), true);
  });

  it("splits the place into the lines the rules use", () => {
    const p = placeLines(block("one\ntwo\n  thr", "ee;\n\n  four\n"));
    assert.deepEqual([p.lineAbove, p.linePrefix, p.lineSuffix, p.nextLine], ["two", "  thr", "ee;", "  four"]);
  });
});
