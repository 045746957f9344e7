// Real code for the tokenizer tests: TypeScript's own lib files (stable, in node_modules) to
// train on, and different files (TypeScript's compiler source, our src/) to encode, so the
// tests see pieces the trainer never saw.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { trainBpe, type Tokenizer } from "../../../src/core/tokenizer";

export const ROOT = new URL("../../../", import.meta.url).pathname;
const TS_LIB = join(ROOT, "node_modules/typescript/lib");

/** `bytes` characters of TypeScript's lib .d.ts files (ASCII), in name order, the last file cut. */
export function trainingDocs(bytes = 1_000_000): string[] {
  const docs: string[] = [];
  let total = 0;
  for (const name of readdirSync(TS_LIB).sort()) {
    if (!name.startsWith("lib.") || !name.endsWith(".d.ts")) continue;
    const text = readFileSync(join(TS_LIB, name), "utf8").slice(0, bytes - total);
    docs.push(text);
    total += text.length;
    if (total >= bytes) break;
  }
  return docs;
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|js|mjs|json|md)$/.test(name)) out.push(path);
  }
}

/** Code not in the training set: a slice of TypeScript's compiler and this repository's sources. */
export function evalDocs(): { name: string; text: string }[] {
  const files: string[] = [];
  walk(join(ROOT, "src"), files);
  walk(join(ROOT, "scripts"), files);
  const docs = files.map((f) => ({ name: f.slice(ROOT.length), text: readFileSync(f, "utf8") }));
  const compiler = readFileSync(join(TS_LIB, "typescript.js"), "utf8");
  docs.push({ name: "typescript.js (400 kB slice)", text: compiler.slice(1_000_000, 1_400_000) });
  return docs;
}

let trained: Promise<Tokenizer> | undefined;
/** One tokenizer trained on 1 MB of TypeScript declarations, shared by the test files' cases. */
export function trainedTokenizer(): Promise<Tokenizer> {
  trained ??= trainBpe(trainingDocs(), { vocabSize: 2048 });
  return trained;
}
