// Python: a `def` or `class` whose body opens with a docstring. The prompt is the decorators,
// the signature and the docstring; the completion is the rest of the body, up to the first
// line indented no deeper than the `def` itself.
import type { LineIndex } from "../../text/line-index";
import type { DocPair } from "./doc-pair";

const DEFINITION = /^(?:async\s+def|def|class)\s+[A-Za-z_]\w*/;
const DOCSTRING_OPEN = /^[rRuUbB]{0,2}("""|''')/;
const SIGNATURE_MAX_LINES = 20;

export function findPythonDocPairs(index: LineIndex, maxChars: number): DocPair[] {
  const pairs: DocPair[] = [];
  for (let line = 0; line < index.count; line++) {
    const indent = index.indentWidth(line);
    const code = index.text.slice(index.start(line) + indent, index.contentEnd(line));
    if (!DEFINITION.test(code)) continue;
    const pair = pairAt(index, line, indent, maxChars);
    if (pair) pairs.push(pair);
  }
  return pairs;
}

function pairAt(index: LineIndex, defLine: number, indent: number, maxChars: number): DocPair | null {
  const text = index.text;
  const sigEnd = signatureEnd(index, defLine);
  if (sigEnd === -1) return null;
  // The docstring: the first statement of the body.
  let docLine = sigEnd + 1;
  while (docLine < index.count && index.isBlank(docLine)) docLine++;
  if (docLine >= index.count || index.indentWidth(docLine) <= indent) return null;
  const docCode = text.slice(index.start(docLine) + index.indentWidth(docLine), index.contentEnd(docLine));
  const open = DOCSTRING_OPEN.exec(docCode);
  if (!open) return null;
  const quotes = open[1] as string;
  const bodyOfDoc = index.start(docLine) + index.indentWidth(docLine) + open[0].length;
  const close = text.indexOf(quotes, bodyOfDoc);
  if (close === -1) return null;
  const docLast = index.lineAt(close);
  if (text.slice(close + 3, index.contentEnd(docLast)).trim() !== "") return null;
  // The body after the docstring: every line deeper than the def (blank lines included).
  let last = -1;
  for (let line = docLast + 1; line < index.count; line++) {
    if (index.isBlank(line)) continue;
    if (index.indentWidth(line) <= indent) break;
    last = line;
  }
  if (last === -1) return null;
  const codeStart = index.start(docLast + 1);
  const codeEnd = index.contentEnd(last);
  if (codeEnd - codeStart > maxChars) return null;
  return { promptStart: index.start(firstDecorator(index, defLine, indent)), codeStart, codeEnd };
}

/** The line holding the `:` that ends a (possibly multi-line) signature; -1 when not found. */
function signatureEnd(index: LineIndex, defLine: number): number {
  let depth = 0;
  for (let line = defLine; line < index.count && line - defLine < SIGNATURE_MAX_LINES; line++) {
    const content = index.content(line);
    for (let i = 0; i < content.length; i++) {
      const c = content[i];
      if (c === "#") break;
      if (c === "(" || c === "[" || c === "{") depth++;
      else if (c === ")" || c === "]" || c === "}") depth--;
      else if (c === ":" && depth === 0) {
        // `def f(): return 1` keeps its body on the same line: nothing to pair.
        return content.slice(i + 1).trim().replace(/#.*$/, "") === "" ? line : -1;
      }
    }
  }
  return -1;
}

function firstDecorator(index: LineIndex, defLine: number, indent: number): number {
  let first = defLine;
  while (first > 0 && index.indentWidth(first - 1) === indent && index.text.startsWith("@", index.start(first - 1) + indent)) first--;
  return first;
}
