// Real code that no one here wrote, from a pinned dependency, for tokenizer and parity tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "..", "..", "..", "..");

/** commander's sources (pinned in package.json): about 100 kB of JavaScript. */
export function realCode(maxChars = 100_000): string {
  const files = ["command.js", "option.js", "help.js", "argument.js", "error.js"];
  return files.map((f) => readFileSync(join(root, "node_modules", "commander", "lib", f), "utf8")).join("\n").slice(0, maxChars);
}
