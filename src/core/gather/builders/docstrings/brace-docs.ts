// Doc comments in C-family languages and the function, method, class or type that follows:
// `/** ... */` (JS/TS, Java, Kotlin, C/C++, PHP...), `///` (Rust, C#, C++, Swift, Dart) and
// Go's plain `//` blocks above `func`/`type`. The code runs from the line after the comment
// (decorators and attributes included) to its matching closing brace.
import type { LineIndex } from "../../text/line-index";
import { findBodyOpen, matchBrace, type LexStyle } from "./code-lexer";
import type { DocPair } from "./doc-pair";

export interface BraceDocStyle extends LexStyle {
  /** `/** ... *\/` blocks document the next declaration. */
  blockDocs: boolean;
  /** Line-comment markers whose consecutive lines form a doc ("///", or "//" for Go). */
  lineDocMarkers: string[];
  /** The body's "{" must be on the declaration's last line (Go). */
  braceOnSameLine: boolean;
  /** A declaration the doc may document must match this (Go: only func and type). */
  declaration?: RegExp;
}

const SIGNATURE_LIMIT = 1_000;
const CONTROL_FLOW = /^\s*(?:if|for|foreach|while|switch|catch|else|do|try|return|with|using|lock|match|loop)\b/;
const TYPE_KEYWORD = /\b(?:class|interface|struct|enum|trait|impl|union|record|object|namespace|module|type|protocol|extension)\b/;

export function findBraceDocPairs(index: LineIndex, style: BraceDocStyle, maxChars: number): DocPair[] {
  const text = index.text;
  const pairs: DocPair[] = [];
  let line = 0;
  while (line < index.count) {
    const docEnd = docCommentEnd(index, line, style);
    if (docEnd === -1) {
      line++;
      continue;
    }
    const pair = pairAfterDoc(index, line, docEnd, style, maxChars);
    if (pair) {
      pairs.push(pair);
      // Docs inside this body (methods of a documented class) pair on their own.
    }
    line = docEnd + 1;
  }
  return pairs.filter((p) => p.codeEnd <= text.length);
}

/** Last line of a doc comment starting at `line`, or -1 when none starts there. */
function docCommentEnd(index: LineIndex, line: number, style: BraceDocStyle): number {
  const text = index.text;
  const start = index.start(line) + index.indentWidth(line);
  if (style.blockDocs && text.startsWith("/**", start) && !text.startsWith("/**/", start)) {
    const close = text.indexOf("*/", start + 3);
    if (close === -1) return -1;
    const last = index.lineAt(close);
    // Nothing may follow "*/" on its line: `/** x */ foo()` is not a doc above a declaration.
    if (text.slice(close + 2, index.contentEnd(last)).trim() !== "") return -1;
    return last;
  }
  const marker = style.lineDocMarkers.find((m) => text.startsWith(m, start) && !text.startsWith(`${m}/`, start));
  if (!marker) return -1;
  let last = line;
  while (last + 1 < index.count) {
    const s = index.start(last + 1) + index.indentWidth(last + 1);
    if (!text.startsWith(marker, s) || text.startsWith(`${marker}/`, s)) break;
    last++;
  }
  return last;
}

function pairAfterDoc(index: LineIndex, docFirst: number, docLast: number, style: BraceDocStyle, maxChars: number): DocPair | null {
  const text = index.text;
  const declLine = docLast + 1;
  if (declLine >= index.count || index.isBlank(declLine)) return null;
  const codeStart = index.start(declLine);
  const declText = text.slice(codeStart + index.indentWidth(declLine), index.contentEnd(declLine));
  if (style.declaration && !style.declaration.test(declText)) return null;
  if (declText.startsWith("//") || declText.startsWith("/*")) return null;
  const open = findBodyOpen(text, codeStart, codeStart + SIGNATURE_LIMIT, style, style.braceOnSameLine);
  if (open === -1) return null;
  const signature = text.slice(codeStart, open);
  if (CONTROL_FLOW.test(signature) || !(signature.includes("(") || TYPE_KEYWORD.test(signature))) return null;
  const close = matchBrace(text, open, codeStart + maxChars, style);
  if (close === -1) return null;
  const codeEnd = text.charCodeAt(close + 1) === 0x3b /* ; */ ? close + 2 : close + 1;
  return { promptStart: index.start(docFirst), codeStart, codeEnd };
}
