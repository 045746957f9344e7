// Instruction pairs of sft.jsonl: {prompt, completion, kind: "docstring", path}. The prompt is
// the file header and the doc comment exactly as written; the completion is the code it
// documents, exactly as written, so prompt (less its header) + completion is a piece of the file.
import type { SftRecord } from "../../../store/dataset-files";
import type { LineIndex } from "../../text/line-index";
import { pretrainHeader } from "../pretrain";
import { findBraceDocPairs, type BraceDocStyle } from "./brace-docs";
import type { DocPair } from "./doc-pair";
import { findPythonDocPairs } from "./python-docs";

const JS_STYLE: BraceDocStyle = { backtickStrings: true, singleQuoteStrings: true, blockDocs: true, lineDocMarkers: [], braceOnSameLine: false };
const JVM_STYLE: BraceDocStyle = { backtickStrings: false, singleQuoteStrings: false, blockDocs: true, lineDocMarkers: [], braceOnSameLine: false };
const C_STYLE: BraceDocStyle = { backtickStrings: false, singleQuoteStrings: false, blockDocs: true, lineDocMarkers: ["///", "//!"], braceOnSameLine: false };
const RUST_STYLE: BraceDocStyle = { backtickStrings: false, singleQuoteStrings: false, blockDocs: true, lineDocMarkers: ["///"], braceOnSameLine: false };
const GO_STYLE: BraceDocStyle = { backtickStrings: true, singleQuoteStrings: false, blockDocs: false, lineDocMarkers: ["//"], braceOnSameLine: true, declaration: /^(?:func|type)\s/ };
const SWIFT_STYLE: BraceDocStyle = { backtickStrings: false, singleQuoteStrings: false, blockDocs: true, lineDocMarkers: ["///"], braceOnSameLine: false };
const PHP_STYLE: BraceDocStyle = { backtickStrings: false, singleQuoteStrings: true, blockDocs: true, lineDocMarkers: [], braceOnSameLine: false };

/** Language id (code-languages.ts) -> how its docs are found. */
const STYLES: Readonly<Record<string, BraceDocStyle | "python">> = {
  typescript: JS_STYLE,
  typescriptreact: JS_STYLE,
  javascript: JS_STYLE,
  javascriptreact: JS_STYLE,
  java: JVM_STYLE,
  kotlin: JVM_STYLE,
  scala: JVM_STYLE,
  groovy: JVM_STYLE,
  c: C_STYLE,
  cpp: C_STYLE,
  "cuda-cpp": C_STYLE,
  "objective-c": C_STYLE,
  "objective-cpp": C_STYLE,
  csharp: C_STYLE,
  rust: RUST_STYLE,
  go: GO_STYLE,
  swift: SWIFT_STYLE,
  dart: SWIFT_STYLE,
  php: PHP_STYLE,
  python: "python",
};

export function supportsDocPairs(language: string): boolean {
  return language in STYLES;
}

export function findDocPairs(index: LineIndex, language: string, maxChars: number): DocPair[] {
  const style = STYLES[language];
  if (!style) return [];
  return style === "python" ? findPythonDocPairs(index, maxChars) : findBraceDocPairs(index, style, maxChars);
}

/** The pairs a file gives: within the size limit, at most `maxPerFile`. */
export function docPairsFor(index: LineIndex, language: string, maxChars: number, maxPerFile: number): DocPair[] {
  return findDocPairs(index, language, maxChars)
    .filter((pair) => pair.codeEnd - pair.codeStart <= maxChars)
    .slice(0, maxPerFile);
}

export function buildDocstringPairs(path: string, index: LineIndex, language: string, maxChars: number, maxPerFile: number): SftRecord[] {
  const text = index.text;
  return docPairsFor(index, language, maxChars, maxPerFile).map((pair) => ({
    prompt: pretrainHeader(path) + text.slice(pair.promptStart, pair.codeStart),
    completion: text.slice(pair.codeStart, pair.codeEnd),
    kind: "docstring",
    path,
  }));
}
