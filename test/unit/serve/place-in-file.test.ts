// Cursor places in a file for `repotune complete`, and the mode chosen for them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chooseMode, placeInText } from "../../../src/core/completion/place-in-file";

describe("place in a file", () => {
  const text = "one\ntwo three\r\nfour\n";

  it("splits at 1-based line and column", () => {
    assert.deepEqual(placeInText(text, 1, 1), { prefix: "", suffix: text, offset: 0 });
    const p = placeInText(text, 2, 5);
    assert.equal(p.prefix, "one\ntwo ");
    assert.equal(p.suffix, "three\r\nfour\n");
    assert.equal(placeInText(text, 2, 10).suffix, "\r\nfour\n", "end of a CRLF line");
    assert.equal(placeInText(text, 4, 1).prefix, text, "the empty last line");
  });

  it("keeps the text nearest the cursor within the budget", () => {
    const p = placeInText("abcdef\nghij", 2, 3, { prefixChars: 4, suffixChars: 1 });
    assert.deepEqual([p.prefix, p.suffix], ["f\ngh", "i"]);
  });

  it("says which line or column is out of range", () => {
    assert.throws(() => placeInText(text, 9, 1), /line 9 is past the end of the file \(it has 4 lines\)/);
    assert.throws(() => placeInText(text, 1, 5), /column 5 is past the end of line 1 \(3 characters\)/);
    assert.throws(() => placeInText(text, 0, 1), /positive integer/);
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
});
