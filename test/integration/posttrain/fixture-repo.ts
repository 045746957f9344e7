// A small repository of very regular TypeScript, made on the fly (git init, a few commits):
// regular enough that a model of a few hundred thousand parameters learns to complete its
// lines in a minute, varied enough (names, operators, fields) that the held-out files are
// not copies of the training ones.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { seededRandom } from "../../../src/core/random/seeded-random";

const NOUNS = ["apple", "river", "stone", "cloud", "tiger", "maple", "ocean", "ember", "frost", "cedar", "lotus", "comet", "delta", "raven", "amber", "birch", "coral", "dune", "fern", "grove", "harbor", "iris", "jade", "kelp"];
const OPS: [string, string][] = [
  ["add", "+"],
  ["sub", "-"],
  ["mul", "*"],
  ["div", "/"],
];
const FIELDS = ["name", "size", "count", "label", "weight", "color"];

function rng(seed: number): () => number {
  return seededRandom(seed);
}

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

function moduleText(noun: string, random: () => number): string {
  const Noun = cap(noun);
  const out: string[] = [`// The ${noun} module: arithmetic and a record type.`, ""];
  for (const [verb, op] of OPS) {
    out.push(`export function ${verb}${Noun}(a: number, b: number): number {`, `  return a ${op} b;`, "}", "");
  }
  const fields = FIELDS.filter(() => random() < 0.6);
  if (fields.length === 0) fields.push("name");
  out.push(`export class ${Noun}Record {`);
  for (const f of fields) out.push(`  ${f}: string;`);
  out.push("", `  constructor(${fields.map((f) => `${f}: string`).join(", ")}) {`);
  for (const f of fields) out.push(`    this.${f} = ${f};`);
  out.push("  }", "");
  for (const f of fields) out.push(`  get${cap(f)}(): string {`, `    return this.${f};`, "  }", "");
  out.push("}", "");
  return out.join("\n");
}

/** Creates the repository in `dir` and returns the number of source files. */
export function makeFixtureRepo(dir: string, files = NOUNS.length, seed = 1): number {
  mkdirSync(join(dir, "src"), { recursive: true });
  const random = rng(seed);
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: dir, stdio: "ignore" });
  git("init", "-q");
  const nouns = NOUNS.slice(0, files);
  nouns.forEach((noun, i) => {
    writeFileSync(join(dir, "src", `${noun}.ts`), moduleText(noun, random));
    // A few commits, so the dataset has commit pairs as a real repository would.
    if (i % 8 === 7 || i === nouns.length - 1) {
      git("add", "-A");
      git("commit", "-q", "-m", `add modules up to ${noun}`);
    }
  });
  return nouns.length;
}
