// The one completion context: cursor places in a file, the budget cut, the mode, the gate.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chooseMode, completionContext, DEFAULT_COMPLETION_SETTINGS, MAX_CHARS_PER_TOKEN, offsetAt, worthCompleting } from "../../../src/core/completion/context";

describe("completion context", () => {
  const text = "one\ntwo three\r\nfour\n";

  it("finds the offset of a 1-based line and column", () => {
    assert.equal(offsetAt(text, 1, 1), 0);
    assert.equal(text.slice(0, offsetAt(text, 2, 5)), "one\ntwo ");
    assert.equal(text.slice(offsetAt(text, 2, 10)), "\r\nfour\n", "end of a CRLF line");
    assert.equal(offsetAt(text, 4, 1), text.length, "the empty last line");
  });

  it("says which line or column is out of range", () => {
    assert.throws(() => offsetAt(text, 9, 1), /line 9 is past the end of the file \(it has 4 lines\)/);
    assert.throws(() => offsetAt(text, 1, 5), /column 5 is past the end of line 1 \(3 characters\)/);
    assert.throws(() => offsetAt(text, 0, 1), /positive integer/);
  });

  it("keeps the text nearest the cursor within the budget, cut at line boundaries", () => {
    const budget = { prefixTokens: 1, suffixTokens: 1 }; // 8 characters each side
    assert.equal(MAX_CHARS_PER_TOKEN, 8);
    const ctx = completionContext("aaaaa\nbbb\nccc", "dd\neeeeee\nffff", { budget, mode: "auto" });
    assert.equal(ctx.prefix, "bbb\nccc", "the partial first line is dropped");
    assert.equal(ctx.suffix, "dd\n", "the partial last line is dropped");
    const atBoundary = completionContext("aaaa\nbbbb\nccc", "dd\neeee\nffff", { budget, mode: "auto" });
    assert.equal(atBoundary.prefix, "bbbb\nccc", "a cut at a line start keeps that whole line");
    assert.equal(atBoundary.suffix, "dd\neeee\n", "a cut after a line end keeps that whole line");
    const whole = completionContext("short", "text");
    assert.deepEqual([whole.prefix, whole.suffix], ["short", "text"], "text within the budget is kept whole");
  });

  it("picks the mode from the whole text, or takes the one asked for", () => {
    assert.equal(completionContext("function f() {\n  ", "\n}").mode, "block");
    assert.equal(completionContext("const x = ", ";\n").mode, "line");
    assert.equal(completionContext("function f() {\n  ", "\n}", { budget: DEFAULT_COMPLETION_SETTINGS.budget, mode: "line" }).mode, "line");
  });

  it("chooses block mode on a blank line or after an opener, line mode elsewhere", () => {
    assert.equal(chooseMode("function f() {\n  ", "\n}"), "block");
    assert.equal(chooseMode("function f() {", "\n}"), "block");
    assert.equal(chooseMode("if x:", ""), "block");
    assert.equal(chooseMode("const f = () =>", ""), "block");
    assert.equal(chooseMode("const x = ", ";\n"), "line");
    assert.equal(chooseMode("foo(", ")"), "line");
    assert.equal(chooseMode("return a +", "\n"), "line");
  });

  it("completes only before closing punctuation or the line's end", () => {
    assert.equal(worthCompleting(""), true);
    assert.equal(worthCompleting(");"), true);
    assert.equal(worthCompleting("  }"), true);
    assert.equal(worthCompleting("foo)"), false);
  });
});
